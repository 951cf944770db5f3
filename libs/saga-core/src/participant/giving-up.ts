/** Why a handler with a retry policy is called to announce its failure instead of working. */
export interface GivingUp {
  /** The last try's error message. */
  reason: string;
  /** The tries that failed. */
  attempts: number;
}
