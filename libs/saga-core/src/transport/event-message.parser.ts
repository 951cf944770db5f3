import { DeadLetterReason, PoisonMessageError } from '../errors/poison-message.error';
import { EventMessage } from './event-message';

const TEXT_FIELDS = ['messageId', 'type', 'correlationId', 'source', 'occurredAt'] as const;

/**
 * Checks an event's envelope; a malformed one, or one of a type this consumer does not
 * handle, is poison: dead-lettered at once, never retried.
 */
export function parseEventMessage(body: unknown, handledTypes: ReadonlySet<string>): EventMessage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PoisonMessageError('event is not an object');
  }
  const e = body as Record<string, unknown>;
  const problems = TEXT_FIELDS.filter((f) => typeof e[f] !== 'string' || e[f] === '').map(
    (f) => `${f} must be a non-empty string`,
  );
  if (!('payload' in e)) problems.push('payload is missing');
  if (problems.length > 0) throw new PoisonMessageError(`malformed event: ${problems.join('; ')}`);
  if (!handledTypes.has(e.type as string)) {
    throw new PoisonMessageError(
      `no handler for event type ${String(e.type)}`,
      DeadLetterReason.UNKNOWN_TYPE,
    );
  }
  return e as unknown as EventMessage;
}
