/** What a runtime fault rule does to a message it matches, on a participant. */
export const FaultAction = {
  /** Answers with a retryable error (an infrastructure failure) without running the handler. */
  FAIL: 'fail',
  /** Answers with a non-retryable error (a business refusal) without running the handler. */
  REFUSE: 'refuse',
  /** Waits `delayMs` before handling the message. */
  DELAY: 'delay',
  /** Does the work and commits it, but sends no reply or event. */
  DROP_REPLY: 'drop-reply',
  /** Kills the process with SIGKILL after the work committed, before the message is acked. */
  CRASH: 'crash',
  /** The handler throws: the message is redelivered, and dead-lettered past the delivery limit. */
  THROW: 'throw',
} as const;
export type FaultAction = (typeof FaultAction)[keyof typeof FaultAction];

export const FAULT_ACTIONS: readonly FaultAction[] = Object.values(FaultAction);

/** The match that applies a rule to every command and event type. */
export const MATCH_ANY = '*';
