/**
 * Headers of a dead letter that a consumer gave up on: why, the error it met, and the queue it
 * came from. A dead letter the broker made itself (a failed fallback) carries `x-death`
 * instead. Dashboards and operators read exactly these names.
 */
export const DeadLetterHeader = {
  /** A `DeadLetterReason`: `unreadable`, `unknown-type`, `invalid`, `untrusted-reply-to`, `delivery-limit`. */
  REASON: 'x-saga-dead-letter-reason',
  /** The error's message, cut to `MAX_DEAD_LETTER_ERROR_LENGTH` characters. */
  ERROR: 'x-saga-dead-letter-error',
  /** The work queue the message was consumed from. */
  FROM: 'x-saga-dead-lettered-from',
} as const;

export const MAX_DEAD_LETTER_ERROR_LENGTH = 1_000;
