/** Where one step of one saga stands. */
export const StepStatus = {
  /** Not started yet. */
  PENDING: 'PENDING',
  /** Its command was sent; the reply is awaited (or a retry is scheduled). */
  RUNNING: 'RUNNING',
  /** The participant confirmed it. */
  COMPLETED: 'COMPLETED',
  /** The participant refused it, or it ran out of retries. */
  FAILED: 'FAILED',
  /** No reply came in time: the participant may have done the work, so it is compensated too. */
  TIMED_OUT: 'TIMED_OUT',
  /** An operator cancelled the saga while this step ran: it may have taken effect, so it is undone. */
  CANCELLED: 'CANCELLED',
  /** Its compensation was sent; the reply is awaited. */
  COMPENSATING: 'COMPENSATING',
  /** Its compensation was confirmed. */
  COMPENSATED: 'COMPENSATED',
  /** Its compensation failed every retry. */
  COMPENSATION_FAILED: 'COMPENSATION_FAILED',
  /** The saga ended before reaching it. */
  SKIPPED: 'SKIPPED',
  /**
   * An optional step that does not apply to this saga: its `onlyIf` did not hold on the
   * starting data. Never run, never undone, and left out of the saga's views (`visibleSteps`),
   * so a saga that does not ask for it reads as if the step did not exist.
   */
  INACTIVE: 'INACTIVE',
} as const;
export type StepStatus = (typeof StepStatus)[keyof typeof StepStatus];
