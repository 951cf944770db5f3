import { SagaError } from './saga-error';

/** Why a message was given up on; the label of the dead-letter metric. */
export const DeadLetterReason = {
  /** Not a JSON object, or nothing names it: it cannot even be read. */
  UNREADABLE: 'unreadable',
  /** Readable, but of a type this consumer does not handle. */
  UNKNOWN_TYPE: 'unknown-type',
  /** Of a known type, but its envelope or payload fails validation. */
  INVALID: 'invalid',
  /** A command whose `replyTo` names a queue this participant is not allowed to answer on. */
  UNTRUSTED_REPLY_TO: 'untrusted-reply-to',
  /** Its handler kept failing until the broker's delivery limit was reached. */
  DELIVERY_LIMIT: 'delivery-limit',
} as const;
export type DeadLetterReason = (typeof DeadLetterReason)[keyof typeof DeadLetterReason];

/** A message that can never be handled (malformed, unknown type): dead-letter it, do not retry. */
export class PoisonMessageError extends SagaError {
  readonly code = 'POISON_MESSAGE';

  constructor(
    message: string,
    readonly reason: DeadLetterReason = DeadLetterReason.INVALID,
  ) {
    super(message);
  }
}
