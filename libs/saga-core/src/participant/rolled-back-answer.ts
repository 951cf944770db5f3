import { OutgoingMessage } from '../transport/message-envelope';

/**
 * Thrown by an inbound adapter's work to roll the handler's writes back and answer apart: the
 * runtime then records the message and writes `outgoing` (a refusal's failure reply) in a
 * transaction of its own, which costs less than a savepoint around every handler.
 */
export class RolledBackAnswer<O extends string = string> extends Error {
  constructor(
    readonly outcome: O,
    readonly outgoing: OutgoingMessage[],
  ) {
    super(`answered with ${outcome}, the work rolled back`);
  }
}
