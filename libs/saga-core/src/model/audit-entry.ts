/** Kinds of audit record, written so a person can read a saga's story in order. */
export const AuditType = {
  SAGA_STARTED: 'SAGA_STARTED',
  COMMAND_SENT: 'COMMAND_SENT',
  REPLY_RECEIVED: 'REPLY_RECEIVED',
  /** Choreography: an event the orchestrator published (to start or to cancel the saga). */
  EVENT_PUBLISHED: 'EVENT_PUBLISHED',
  /** Choreography: a participant's event that moved the saga. */
  EVENT_RECEIVED: 'EVENT_RECEIVED',
  /** Choreography: an event that came too late, twice, or for a saga that has ended. */
  EVENT_IGNORED: 'EVENT_IGNORED',
  /** A reply for an attempt the saga no longer waits for (late, or a duplicate attempt). */
  REPLY_IGNORED: 'REPLY_IGNORED',
  STEP_COMPLETED: 'STEP_COMPLETED',
  STEP_FAILED: 'STEP_FAILED',
  STEP_TIMED_OUT: 'STEP_TIMED_OUT',
  STEP_RETRY_SCHEDULED: 'STEP_RETRY_SCHEDULED',
  /** An optional step does not run for this saga's data (`onlyIf`): it is never sent nor undone. */
  COMPENSATION_STARTED: 'COMPENSATION_STARTED',
  COMPENSATION_SENT: 'COMPENSATION_SENT',
  /**
   * Choreography: the tracker asked a step's participant for its undo with the step's undo
   * request event (its undo did not come in time, or an operator retried it).
   */
  COMPENSATION_REQUESTED: 'COMPENSATION_REQUESTED',
  STEP_COMPENSATED: 'STEP_COMPENSATED',
  COMPENSATION_ATTEMPT_FAILED: 'COMPENSATION_ATTEMPT_FAILED',
  COMPENSATION_RETRY_SCHEDULED: 'COMPENSATION_RETRY_SCHEDULED',
  STEP_COMPENSATION_FAILED: 'STEP_COMPENSATION_FAILED',
  /** An operator cancelled a running saga (detail: who and why). */
  OPERATOR_CANCELLED: 'OPERATOR_CANCELLED',
  /** An operator asked to retry the compensations that had failed (detail: who and why). */
  OPERATOR_RETRIED_COMPENSATION: 'OPERATOR_RETRIED_COMPENSATION',
  /** Firing the saga's timer threw (detail: timer, attempt, error, retryAt): tried again later. */
  TIMER_FAILED: 'TIMER_FAILED',
  /** The timer failed every try and is kept, not fired, until an operator retries it. */
  TIMER_PARKED: 'TIMER_PARKED',
  /** An operator made a parked timer due again (detail: who and why). */
  OPERATOR_RETRIED_TIMER: 'OPERATOR_RETRIED_TIMER',
  /** An operator moved a dead-lettered message of the saga back to its queue (detail: who, what). */
  DEAD_LETTER_MOVED: 'DEAD_LETTER_MOVED',
  SAGA_CONFIRMED: 'SAGA_CONFIRMED',
  SAGA_CANCELLED: 'SAGA_CANCELLED',
  SAGA_COMPENSATION_FAILED: 'SAGA_COMPENSATION_FAILED',
} as const;
export type AuditType = (typeof AuditType)[keyof typeof AuditType];

/** One line of a saga's append-only audit log. */
export interface AuditEntry {
  sagaId: string;
  at: Date;
  type: AuditType | string;
  step: string | null;
  detail: Record<string, unknown>;
}
