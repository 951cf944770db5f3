import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { findDecoratedMethods } from '../discovery/decorated-methods';
import { DataSource, EntityManager } from 'typeorm';
import { RetryPolicy, retryDelayMs } from '../definition/retry-policy';
import { isTransientFailure } from '../errors/transient-failure';
import {
  applyAfterCommit,
  applyBeforeHandling,
  dropsReply,
  injectedStepError,
} from '../faults/fault-effects';
import { FaultRule } from '../faults/fault-rule';
import { FaultRules } from '../faults/fault-rules';
import { reachFaultPoint } from '../faults/fault-point';
import { FaultPoint } from '../model/fault-hooks';
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
import {
  DEFAULT_DELIVERY_LIMIT,
  MessageTransport,
  QueueSpec,
} from '../transport/message-transport';
import { EventContext, GivingUp } from './event-context';
import { EVENT_HANDLER_METADATA, EventHandlerMetadata } from './event-handler.decorator';
import { EventEndpoint, EventMessage } from '../transport/event-message';
import { parseEventMessage } from '../transport/event-message.parser';
import { EventOutcome, participantEventsCounter } from './event-metrics';
import { EVENT_GIVE_UP_METADATA } from './retry-then-give-up.decorator';

const DEFAULT_PREFETCH = 32;

/** The inbox already had the event: what the handler did is rolled back. */
class AlreadyHandled extends Error {}

interface BoundEventHandler {
  /** `Class.method`, for configuration errors. */
  name: string;
  exchange: string;
  /** Set by `@RetryThenGiveUp`: tries with backoff, then an announced failure. */
  giveUp: RetryPolicy | null;
  invoke(event: EventMessage, ctx: EventContext): Promise<unknown>;
}

interface Handled {
  outcome: EventOutcome;
  published: OutboxRecord[];
}

/**
 * The choreography half of the engine: consumes the app's event queue, bound to every event
 * type an `@EventHandler` reacts to, and runs each event through its handler in one local
 * transaction with the inbox row (exactly-once effects over at-least-once delivery) and the
 * events it publishes in the outbox (no reaction without its announcement, and the reverse).
 * Each event first meets the app's runtime fault rules (`FaultRules`), as commands do. A
 * `@RetryThenGiveUp` handler that keeps failing ends in its announced failure (see there).
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
    let result: Handled;
    try {
      await applyBeforeHandling(fault, event.type);
      result = await this.transact(event, message, fault, null);
      applyAfterCommit(fault);
    } catch (error) {
      result = await this.afterFailure(event, message, error);
    }
    this.count(event.type, result.outcome);
    if (debugLogging.enabled) {
      this.logger.debug(`${event.type} of saga ${event.correlationId}: ${result.outcome}`);
    }
    if (result.published.length > 0) reachFaultPoint(FaultPoint.AFTER_COMMIT_BEFORE_PUBLISH);
    this.relay.publishCommitted(result.published);
  }

  /**
   * A try failed. Poison and outages go back to the transport (dead-lettered at once, or held
   * and retried in place); any other error is retried through a redelivery, after the
   * handler's backoff, and once its tries are spent the handler announces its failure.
   */
  private async afterFailure(
    event: EventMessage,
    message: IncomingMessage,
    error: unknown,
  ): Promise<Handled> {
    const poison = isPoison(error);
    const policy = this.handlers.get(event.type)?.giveUp;
    if (!policy || poison || isTransientFailure(error)) {
      this.count(event.type, poison ? 'poison' : 'error');
      throw error;
    }
    const reason = error instanceof Error ? error.message : String(error);
    const tries = message.deliveryCount;
    if (tries < policy.maxAttempts) {
      this.count(event.type, 'error');
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(policy, tries)));
      throw error;
    }
    this.logger.warn(`Giving up ${event.type} ${event.messageId} after ${tries} tries: ${reason}`);
    try {
      const result = await this.transact(event, message, null, { reason, attempts: tries });
      return result.outcome === 'handled' ? { ...result, outcome: 'given-up' } : result;
    } catch (failure) {
      this.count(event.type, 'error');
      throw failure;
    }
  }

  /** One transaction over the event; `givingUp` calls the handler to announce its failure. */
  private transact(
    event: EventMessage,
    message: IncomingMessage,
    fault: FaultRule | null,
    givingUp: GivingUp | null,
  ): Promise<Handled> {
    // PostgreSQL's default READ COMMITTED on purpose: a handler that loses an insert race
    // to a concurrent transaction must then see that transaction's committed row.
    return this.dataSource
      .transaction((manager) => this.process(manager, event, message, fault, givingUp))
      .catch((error: unknown) => {
        if (error instanceof AlreadyHandled)
          return { outcome: 'duplicate' as const, published: [] };
        throw error;
      });
  }

  private async process(
    manager: EntityManager,
    event: EventMessage,
    message: IncomingMessage,
    fault: FaultRule | null,
    givingUp: GivingUp | null,
  ): Promise<Handled> {
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
      givingUp,
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
    const giveUps = new Map(
      findDecoratedMethods<RetryPolicy>(this.discovery, this.scanner, EVENT_GIVE_UP_METADATA).map(
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
        this.handlers.set(type, { name, exchange: metadata.exchange, giveUp, invoke });
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
