import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { findDecoratedMethods } from '../discovery/decorated-methods';
import { DataSource, EntityManager } from 'typeorm';
import {
  applyAfterCommit,
  applyBeforeHandling,
  dropsReply,
  injectedStepError,
} from '../faults/fault-effects';
import { FaultRule } from '../faults/fault-rule';
import { FaultRules } from '../faults/fault-rules';
import { FaultPoint, reachFaultPoint } from '../faults/fault-point';
import { OutboxRelay } from '../messaging/outbox-relay';
import { debugLogging } from '../observability/log-scope';
import { bindSaga } from '../observability/trace-context';
import { OutboxRecord } from '../messaging/outbox-store.port';
import {
  claimAndEnqueue,
  claimIncoming,
  claimsBeforeHandling,
  enqueueOutgoing,
} from '../persistence/typeorm/typeorm-messaging';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from '../saga-core.options';
import { IncomingMessage, OutgoingMessage } from '../transport/message-envelope';
import { MessageTransport, QueueSpec } from '../transport/message-transport';
import { EventContext } from './event-context';
import { EVENT_HANDLER_METADATA, EventHandlerMetadata } from './event-handler.decorator';
import { EventEndpoint, EventMessage } from './event-message';
import { parseEventMessage } from './event-message.parser';
import { EventOutcome, participantEventsCounter } from './event-metrics';

const DEFAULT_PREFETCH = 32;

/** The inbox already had the event: what the handler did is rolled back. */
class AlreadyHandled extends Error {}

interface BoundEventHandler {
  /** `Class.method`, for configuration errors. */
  name: string;
  exchange: string;
  invoke(event: EventMessage, ctx: EventContext): Promise<unknown>;
}

/**
 * The choreography half of the engine: consumes the app's event queue, bound to every event
 * type an `@EventHandler` reacts to, and runs each event through its handler in one local
 * transaction with the inbox row (exactly-once effects over at-least-once delivery) and the
 * events it publishes in the outbox (no reaction without its announcement, and the reverse).
 * Each event first meets the app's runtime fault rules (`FaultRules`), as commands do.
 */
@Injectable()
export class ChoreographyDispatcher {
  private readonly logger = new Logger(ChoreographyDispatcher.name);
  private readonly handlers = new Map<string, BoundEventHandler>();
  private readonly events = participantEventsCounter();
  private started = false;

  constructor(
    @Inject(SAGA_CORE_OPTIONS) private readonly options: SagaCoreOptions,
    private readonly transport: MessageTransport,
    private readonly relay: OutboxRelay,
    private readonly dataSource: DataSource,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly faults: FaultRules,
  ) {}

  /** The event types this app reacts to (after `start`). */
  get handledTypes(): ReadonlySet<string> {
    return new Set(this.handlers.keys());
  }

  /** The inbox consumer name: apart from the command dispatcher's, whose ids are other messages. */
  private get consumer(): string {
    return `${this.options.serviceName}:events`;
  }

  async start(): Promise<void> {
    const choreography = this.options.choreography;
    if (!choreography || this.started) return;
    this.discoverHandlers();
    const handlers = [...this.handlers.entries()];
    for (const exchange of new Set(handlers.map(([, h]) => h.exchange))) {
      await this.transport.declareExchange(exchange);
    }
    const queue: QueueSpec = {
      name: choreography.queue ?? `${this.options.serviceName}.events`,
      bindings: handlers.map(([type, h]) => ({ exchange: h.exchange, routingKey: type })),
      prefetch: choreography.prefetch ?? DEFAULT_PREFETCH,
    };
    await this.transport.declareQueue(queue);
    const handled = this.handledTypes;
    await this.transport.consume(queue, (message) => this.handle(message, handled));
    this.started = true;
  }

  private async handle(message: IncomingMessage, handled: ReadonlySet<string>): Promise<void> {
    let event: EventMessage;
    try {
      event = parseEventMessage(message.body, handled);
    } catch (error) {
      this.count('invalid', 'poison');
      throw error;
    }
    bindSaga(event.correlationId);
    const fault = this.faults.hit(event.type);
    let result: { outcome: EventOutcome; published: OutboxRecord[] };
    try {
      await applyBeforeHandling(fault, event.type);
      // PostgreSQL's default READ COMMITTED on purpose: a handler that loses an insert race
      // to a concurrent transaction must then see that transaction's committed row.
      result = await this.dataSource
        .transaction((manager) => this.process(manager, event, message, fault))
        .catch((error: unknown) => {
          if (error instanceof AlreadyHandled)
            return { outcome: 'duplicate' as const, published: [] };
          throw error;
        });
    } catch (error) {
      this.count(event.type, isPoison(error) ? 'poison' : 'error');
      throw error;
    }
    applyAfterCommit(fault);
    this.count(event.type, result.outcome);
    if (debugLogging.enabled) {
      this.logger.debug(`${event.type} of saga ${event.correlationId}: ${result.outcome}`);
    }
    if (result.published.length > 0) reachFaultPoint(FaultPoint.AFTER_COMMIT_BEFORE_PUBLISH);
    this.relay.publishCommitted(result.published);
  }

  private async process(
    manager: EntityManager,
    event: EventMessage,
    message: IncomingMessage,
    fault: FaultRule | null,
  ): Promise<{ outcome: EventOutcome; published: OutboxRecord[] }> {
    const claimFirst = claimsBeforeHandling(message);
    if (claimFirst && !(await claimIncoming(manager, this.consumer, event.messageId))) {
      return { outcome: 'duplicate', published: [] };
    }
    const handler = this.handlers.get(event.type);
    if (!handler) throw new Error(`No handler for ${event.type}`);
    const outgoing: OutgoingMessage[] = [];
    const injected = injectedStepError(fault, event.type);
    let raised = false;
    const ctx: EventContext = {
      event,
      deliveryCount: message.deliveryCount,
      manager,
      publish: (endpoint, payload) => outgoing.push(this.toOutgoing(event, endpoint, payload)),
      raiseInjectedFault: () => {
        if (!injected || raised) return;
        raised = true;
        throw injected;
      },
    };
    await handler.invoke(event, ctx);
    // A handler that does not model a step never raised it: the delivery fails instead.
    if (injected && !raised) throw injected;
    const suppressed = dropsReply(fault);
    const sent = suppressed ? [] : outgoing;
    const published = claimFirst
      ? await enqueueOutgoing(manager, sent)
      : await claimAndEnqueue(manager, this.consumer, event.messageId, sent);
    if (!published) throw new AlreadyHandled();
    reachFaultPoint(FaultPoint.BEFORE_COMMIT);
    return { outcome: suppressed ? 'suppressed' : 'handled', published };
  }

  /** An event of the same saga as `cause`, published by this service through the outbox. */
  private toOutgoing<P>(
    cause: EventMessage,
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
    };
  }

  private discoverHandlers(): void {
    this.handlers.clear();
    const methods = findDecoratedMethods<EventHandlerMetadata>(
      this.discovery,
      this.scanner,
      EVENT_HANDLER_METADATA,
    );
    for (const { name, metadata, invoke } of methods) {
      for (const type of metadata.types) {
        const existing = this.handlers.get(type);
        if (existing) throw new Error(`${type} has two handlers: ${existing.name} and ${name}`);
        this.handlers.set(type, { name, exchange: metadata.exchange, invoke });
      }
    }
    if (this.handlers.size === 0) {
      throw new Error(`No @EventHandler methods found in ${this.options.serviceName}`);
    }
  }

  private count(type: string, outcome: EventOutcome): void {
    this.events.inc({ service: this.options.serviceName, type, outcome });
  }
}

/** By code, as the transport decides it: a handler's PoisonMessageError is dead-lettered. */
function isPoison(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'POISON_MESSAGE';
}
