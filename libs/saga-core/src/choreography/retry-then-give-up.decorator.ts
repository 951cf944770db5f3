import { SetMetadata } from '@nestjs/common';
import { DEFAULT_COMPENSATION_RETRY, RetryPolicy } from '../definition/retry-policy';

/** Reflection key under which `@RetryThenGiveUp` records its policy. */
export const EVENT_GIVE_UP_METADATA = 'saga-core:event-give-up';

/**
 * Marks an `@EventHandler` whose reaction a saga waits for, such as an undo: it must end in an
 * announcement, never in a dead letter nobody reads. A try that fails for any reason but an
 * outage (held and retried in place) or poison (dead-lettered) is tried again after the
 * policy's backoff, through a redelivery. When try `maxAttempts` fails too, the handler is
 * called once more in a fresh transaction, with `ctx.givingUp` set and no fault rule applied,
 * to publish its failure event; that commits with the event's inbox row.
 *
 * Tries are counted by the broker's deliveries, so `maxAttempts` must not exceed the queue's
 * delivery limit plus one: the dispatcher refuses to start otherwise.
 */
export function RetryThenGiveUp(policy: RetryPolicy = DEFAULT_COMPENSATION_RETRY): MethodDecorator {
  return SetMetadata(EVENT_GIVE_UP_METADATA, policy);
}
