/** A saga's status, as the contract names it. */
export const SagaStatus = {
  /** Running its steps, or compensating them. */
  PENDING: 'PENDING',
  /** Every step succeeded. */
  CONFIRMED: 'CONFIRMED',
  /** A step failed and every step that took effect was compensated. */
  CANCELLED: 'CANCELLED',
  /** A compensation could not be completed within its retries: an operator must act. */
  COMPENSATION_FAILED: 'COMPENSATION_FAILED',
} as const;
export type SagaStatus = (typeof SagaStatus)[keyof typeof SagaStatus];

export function isTerminal(status: SagaStatus): boolean {
  return status !== SagaStatus.PENDING;
}
