import { FAULT_HOOKS, FaultHooks, NO_FAULTS } from '../model/fault-hooks';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { FaultRules } from '../faults/fault-rules';
import { OutboxRelay } from '../messaging/outbox-relay';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from '../saga-core.options';
import { IncomingMessage } from '../transport/message-envelope';
import { MessageTransport, QueueSpec } from '../transport/message-transport';
import { InboundAdapter, InboundMessage, InboundRuntime } from './inbound-runtime';
import { INBOX, Inbox } from './inbox.port';

/** What a dispatcher of either style runs on, injected once for both. */
@Injectable()
export class InboundDeps {
  constructor(
    @Inject(SAGA_CORE_OPTIONS) readonly options: SagaCoreOptions,
    readonly transport: MessageTransport,
    readonly relay: OutboxRelay,
    @Inject(INBOX) readonly inbox: Inbox,
    readonly discovery: DiscoveryService,
    readonly scanner: MetadataScanner,
    readonly faults: FaultRules,
    @Optional() @Inject(FAULT_HOOKS) readonly hooks: FaultHooks = NO_FAULTS,
  ) {}
}

/**
 * The part of a participant's dispatcher that is the same in both styles: the inbound runtime
 * over the app's inbox, relay and fault rules, started once, and a queue consumed so that a
 * delivery that cannot be parsed is counted as poison before the transport dead-letters it.
 * The command adapter (`ParticipantDispatcher`) and the event adapter
 * (`ChoreographyDispatcher`) add only how they find their handlers and run one.
 */
export abstract class InboundDispatcher<M extends InboundMessage, O extends string> {
  protected readonly options: SagaCoreOptions;
  protected readonly discovery: DiscoveryService;
  protected readonly scanner: MetadataScanner;
  protected readonly runtime: InboundRuntime<M, O>;
  private readonly transport: MessageTransport;
  private started = false;

  protected constructor(deps: InboundDeps, adapter: InboundAdapter<M, O>, loggerName: string) {
    this.options = deps.options;
    this.transport = deps.transport;
    this.discovery = deps.discovery;
    this.scanner = deps.scanner;
    this.runtime = new InboundRuntime(
      deps.inbox,
      deps.relay,
      deps.faults,
      adapter,
      loggerName,
      deps.hooks,
    );
  }

  /** Declares and consumes this app's queue, if its style is configured; once. */
  async start(): Promise<void> {
    if (this.started) return;
    const queue = await this.prepare();
    if (!queue) return;
    await this.transport.declareQueue(queue);
    await this.transport.consume(queue, (message) => this.deliver(message));
    this.started = true;
  }

  /** Finds the handlers and declares what the queue needs; null when the style is off. */
  protected abstract prepare(): Promise<QueueSpec | null>;

  /** Parses a delivery into its message (throwing for one that cannot be handled). */
  protected abstract parse(message: IncomingMessage): M;

  /** Checks and binds a parsed message before the runtime handles it. */
  protected abstract admit(message: M): void;

  protected abstract count(type: string, outcome: string): void;

  protected declareQueue(queue: QueueSpec): Promise<void> {
    return this.transport.declareQueue(queue);
  }

  protected declareExchange(exchange: string): Promise<void> {
    return this.transport.declareExchange(exchange);
  }

  private async deliver(delivery: IncomingMessage): Promise<void> {
    let message: M;
    try {
      message = this.parse(delivery);
    } catch (error) {
      this.count('invalid', 'poison');
      throw error;
    }
    this.admit(message);
    await this.runtime.handle(message, delivery);
  }
}
