import { Counter } from 'prom-client';
import { sharedCounter } from '../health/shared-counter';
import { DeadLetterReason } from '../errors/poison-message.error';

const DEAD_LETTERS_METRIC = 'saga_dead_lettered_messages_total';

export type DeadLettersCounter = Counter<'service' | 'queue' | 'reason'>;

/**
 * Messages this process gave up on, by queue and reason, in the process-wide registry that
 * `/metrics` serves. Counted where the decision is made: at once for a poison message, or on
 * the failed delivery past which the broker dead-letters it (`delivery-limit`). Several apps
 * in one process (end-to-end tests) share it, told apart by the `service` label.
 */
export function deadLettersCounter(): DeadLettersCounter {
  return sharedCounter(
    DEAD_LETTERS_METRIC,
    'Messages sent to their dead-letter queue, by queue and reason',
    ['service', 'queue', 'reason'],
  );
}

/** The reason a handler's error carries, by shape: errors cross copies of this library. */
export function deadLetterReasonOf(error: unknown): DeadLetterReason {
  const reason = (error as { reason?: unknown } | null)?.reason;
  const known: readonly unknown[] = Object.values(DeadLetterReason);
  return known.includes(reason) ? (reason as DeadLetterReason) : DeadLetterReason.INVALID;
}
