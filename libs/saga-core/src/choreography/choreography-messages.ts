import { SagaTransition } from '../model/saga-transition';
import { EventRef } from '../definition/choreography-spec';
import { EventMessage } from '../transport/event-message';

/** What the tracker needs to publish an event of its own. */
export interface PublishEnvironment {
  newId(): string;
  /** The service the events come from, e.g. `orchestrator`. */
  source: string;
}

/**
 * Adds an event of the saga to the transition's outbox messages (the saga's id is its
 * correlation id) and returns it; the caller writes the audit line that says why.
 */
export function publishEvent(
  t: SagaTransition<unknown>,
  env: PublishEnvironment,
  event: EventRef,
  payload: unknown,
): EventMessage {
  const message: EventMessage = {
    messageId: env.newId(),
    type: event.type,
    correlationId: t.instance.id,
    source: env.source,
    payload,
    occurredAt: t.instance.updatedAt.toISOString(),
  };
  t.messages.push({
    messageId: message.messageId,
    exchange: event.exchange,
    routingKey: event.type,
    type: event.type,
    body: message,
  });
  return message;
}

/** An event as the audit log records it. */
export function eventDetail(event: EventMessage): Record<string, unknown> {
  return {
    event: event.type,
    source: event.source,
    messageId: event.messageId,
    payload: event.payload,
  };
}

/** The `reason` a participant put in an event's payload, if any. */
export function reasonOf(payload: unknown): string | undefined {
  const reason = (payload as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' ? reason : undefined;
}
