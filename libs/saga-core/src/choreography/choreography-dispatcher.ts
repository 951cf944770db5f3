import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { findDecoratedMethods } from '../discovery/decorated-methods';
import { RetryPolicy } from '../definition/retry-policy';
import { dropsReply, injectedStepError } from '../faults/fault-effects';
import { bindSaga } from '../observability/trace-context';
import { InboundDeps, InboundDispatcher } from '../participant/inbound-dispatcher';
import { InboundTry, InboundWork } from '../participant/inbound-runtime';
import { IncomingMessage, OutgoingMessage } from '../transport/message-envelope';
import { DEFAULT_DELIVERY_LIMIT, QueueSpec } from '../transport/message-transport';
import { EventContext } from './event-context';
import { EVENT_HANDLER_METADATA, EventHandlerMetadata } from './event-handler.decorator';
import { EventEndpoint, EventMessage } from '../transport/event-message';
import { parseEventMessage } from '../transport/event-message.parser';
import { EventOutcome, participantEventsCounter } from './event-metrics';
import { EVENT_GIVE_UP_METADATA } from './retry-then-give-up.decorator';
import { EVENT_FILTER_METADATA, EventFilterFn } from './event-filter.decorator';
import { sagaHeadersOf } from '../transport/saga-headers';

const DEFAULT_PREFETCH = 32;

interface BoundEventHandler {
  /** `Class.method`, for configuration errors. */
  name: string;
  exchange: string;
  /** Set by `@RetryThenGiveUp`: tries with backoff, then an announced failure. */
  giveUp: RetryPolicy | null;
  /** Set by `@EventFilter`: the events it takes; the others pass with no transaction. */
  takes: EventFilterFn | null;
  invoke(...args: unknown[]): Promise<unknown>;
}

/**
 * The event adapter of the participant runtime (`InboundRuntime`): consumes the app's event
 * queue, bound to every event type an `@EventHandler` reacts to, and runs each event through
 * its handler, the events it publishes in the outbox (no reaction without its announcement,
 * and the reverse). Each event first meets the app's runtime fault rules (`FaultRules`), as
 * commands do. A `@RetryThenGiveUp` handler that keeps failing ends in its announced failure.
 */
@Injectable()
export class ChoreographyDispatcher extends InboundDispatcher<EventMessage, EventOutcome> {
  private readonly handlers = new Map<string, BoundEventHandler>();
  private readonly events = participantEventsCounter();
  private handled: ReadonlySet<string> = new Set();

  constructor(deps: InboundDeps) {
    super(
      deps,
      {
        // Apart from the command dispatcher's consumer, whose ids are other messages.
        consumer: `${deps.options.serviceName}:events`,
        describe: (e) => `${e.type} of saga ${e.correlationId}`,
        retryPolicy: (type) => this.handlers.get(type)?.giveUp ?? null,
        work: (event, attempt) => this.work(event, attempt),
        count: (type, outcome) => this.count(type, outcome),
      },
      ChoreographyDispatcher.name,
    );
  }

  /** The event types this app reacts to (after `start`). */
  get handledTypes(): ReadonlySet<string> {
    return new Set(this.handlers.keys());
  }

  protected async prepare(): Promise<QueueSpec | null> {
    const choreography = this.options.choreography;
    if (!choreography) return null;
    this.discoverHandlers();
    this.handled = this.handledTypes;
    const handlers = [...this.handlers.entries()];
    for (const exchange of new Set(handlers.map(([, h]) => h.exchange))) {
      await this.declareExchange(exchange);
    }
    return {
      name: choreography.queue ?? `${this.options.serviceName}.events`,
      bindings: handlers.map(([type, h]) => ({ exchange: h.exchange, routingKey: type })),
      prefetch: choreography.prefetch ?? DEFAULT_PREFETCH,
    };
  }

  protected parse(message: IncomingMessage): EventMessage {
    return parseEventMessage(message.body, this.handled);
  }

  protected admit(event: EventMessage): void {
    bindSaga(event.correlationId);
  }

  /** An event its handler does not take (`@EventFilter`); a filter that throws lets it decide. */
  protected override passes(event: EventMessage): boolean {
    const takes = this.handlers.get(event.type)?.takes;
    if (!takes) return false;
    try {
      return !takes(event);
    } catch {
      return false;
    }
  }

  /** Runs the handler; `givingUp` calls it to announce its failure instead of working. */
  private async work(
    event: EventMessage,
    { tx, delivery, fault, givingUp }: InboundTry,
  ): Promise<InboundWork<EventOutcome>> {
    if (!this.handlers.has(event.type)) throw new Error(`No handler for ${event.type}`);
    const outgoing: OutgoingMessage[] = [];
    const sagaHeaders = sagaHeadersOf(delivery.headers);
    const injected = injectedStepError(fault, event.type);
    let raised = false;
    const ctx: EventContext = {
      event,
      headers: delivery.headers,
      deliveryCount: delivery.deliveryCount,
      manager: tx.manager,
      givingUp,
      publish: (endpoint, payload) =>
        outgoing.push(this.toOutgoing(event, sagaHeaders, endpoint, payload)),
      raiseInjectedFault: () => {
        if (!injected || raised) return;
        raised = true;
        throw injected;
      },
      join: (arrival) => tx.join(arrival),
    };
    await this.callHandler(event.type, event, ctx);
    // A handler that does not model a step never raised it: the delivery fails instead.
    if (injected && !raised) throw injected;
    if (dropsReply(fault)) return { outcome: 'suppressed', outgoing: [] };
    return { outcome: 'handled', outgoing };
  }

  /** An event of the same saga as `cause`, published by this service through the outbox. */
  private toOutgoing<P>(
    cause: EventMessage,
    headers: Record<string, string>,
    endpoint: EventEndpoint<P>,
    payload: P,
  ): OutgoingMessage {
    const body: EventMessage<P> = {
      messageId: randomUUID(),
      type: endpoint.type,
      correlationId: cause.correlationId,
      source: this.options.serviceName,
      payload,
      occurredAt: new Date().toISOString(),
    };
    return {
      messageId: body.messageId,
      exchange: endpoint.exchange,
      routingKey: endpoint.type,
      type: endpoint.type,
      body,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
    };
  }

  private discoverHandlers(): void {
    this.handlers.clear();
    const methods = findDecoratedMethods<EventHandlerMetadata>(
      this.discovery,
      this.scanner,
      EVENT_HANDLER_METADATA,
    );
    const giveUps = new Map(
      findDecoratedMethods<RetryPolicy>(this.discovery, this.scanner, EVENT_GIVE_UP_METADATA).map(
        (m) => [m.name, m.metadata],
      ),
    );
    const filters = new Map(
      findDecoratedMethods<EventFilterFn>(this.discovery, this.scanner, EVENT_FILTER_METADATA).map(
        (m) => [m.name, m.metadata],
      ),
    );
    const deliveries = (this.options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT) + 1;
    for (const { name, metadata, invoke } of methods) {
      const giveUp = giveUps.get(name) ?? null;
      // Past the queue's last delivery the broker dead-letters the event: no announcement.
      if (giveUp && giveUp.maxAttempts > deliveries) {
        throw new Error(
          `${name} gives up after ${giveUp.maxAttempts} tries, but its queue delivers an ` +
            `event at most ${deliveries} times`,
        );
      }
      for (const type of metadata.types) {
        const existing = this.handlers.get(type);
        if (existing) throw new Error(`${type} has two handlers: ${existing.name} and ${name}`);
        const takes = filters.get(name) ?? null;
        this.handlers.set(type, { name, exchange: metadata.exchange, giveUp, takes, invoke });
      }
    }
    if (this.handlers.size === 0) {
      throw new Error(`No @EventHandler methods found in ${this.options.serviceName}`);
    }
    this.bindHandlers(
      [...this.handlers].map(([type, { name, invoke }]) => ({ name, types: [type], invoke })),
    );
  }

  protected count(type: string, outcome: EventOutcome): void {
    this.events.inc({ service: this.options.serviceName, type, outcome });
  }
}
