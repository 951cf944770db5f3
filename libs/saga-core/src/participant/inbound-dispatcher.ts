import { FAULT_HOOKS, FaultHooks, NO_FAULTS } from '../model/fault-hooks';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { FaultRules } from '../faults/fault-rules';
import { OutboxRelay } from '../messaging/outbox-relay';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from '../saga-core.options';
import { IncomingMessage } from '../transport/message-envelope';
import { MessageTransport, QueueSpec } from '../transport/message-transport';
import { DEFAULT_GROUP_COMMIT_MESSAGES } from './group-commit';
import { InboundAdapter, InboundMessage, InboundRuntime } from './inbound-runtime';
import { INBOX, Inbox } from './inbox.port';
import { SagaMessageContext } from './saga-message.context';
import {
  BoundMessageMethod,
  SagaMessageHandlers,
  callMessageHandler,
  directMessageHandlers,
} from './saga-message.handlers';

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
 *
 * Handlers are called through `SagaMessageHandlers`: the `SagaMessageServer` that starts the
 * dispatcher, so each message runs through Nest's pipeline; a dispatcher started without one
 * (built by hand) calls the discovered methods as they are.
 */
export abstract class InboundDispatcher<M extends InboundMessage, O extends string> {
  protected readonly options: SagaCoreOptions;
  protected readonly discovery: DiscoveryService;
  protected readonly scanner: MetadataScanner;
  protected readonly runtime: InboundRuntime<M, O>;
  private readonly transport: MessageTransport;
  private readonly logger: Logger;
  private started = false;
  private messages: SagaMessageHandlers | null = null;
  private given: SagaMessageHandlers | null = null;

  protected constructor(deps: InboundDeps, adapter: InboundAdapter<M, O>, loggerName: string) {
    this.options = deps.options;
    this.transport = deps.transport;
    this.discovery = deps.discovery;
    this.scanner = deps.scanner;
    this.logger = new Logger(loggerName);
    this.runtime = new InboundRuntime(
      deps.inbox,
      deps.relay,
      deps.faults,
      adapter,
      loggerName,
      deps.hooks,
      deps.options.groupCommit?.maxMessages ?? DEFAULT_GROUP_COMMIT_MESSAGES,
    );
  }

  /**
   * Declares and consumes this app's queue, if its style is configured; once. `handlers` are
   * where each message's handler is found (the server's); the discovered methods by default.
   */
  async start(handlers?: SagaMessageHandlers): Promise<void> {
    if (this.started) return;
    this.given = handlers ?? null;
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

  /** Whether a message is acknowledged as passed, before any transaction: none by default. */
  protected passes(_message: M): boolean {
    return false;
  }

  /**
   * Where `methods` (the handlers discovery found) are called from: the server that started
   * the dispatcher, through Nest's pipeline, for each it has registered (a controller's method
   * with its pattern); any other (a provider's, which Nest does not register) as it is.
   */
  protected bindHandlers(methods: readonly BoundMessageMethod[]): void {
    const direct = directMessageHandlers(methods);
    const given = this.given;
    if (!given) {
      this.messages = direct;
      return;
    }
    for (const { name, types } of methods) {
      if (types.some((type) => !given.getHandlerByPattern(type))) {
        this.logger.warn(
          `${name} is not a controller method with its pattern: its messages skip Nest's ` +
            'pipes, guards, interceptors and filters',
        );
      }
    }
    this.messages = {
      getHandlerByPattern: (type) =>
        given.getHandlerByPattern(type) ?? direct.getHandlerByPattern(type),
    };
  }

  /** Runs the handler of `pattern` through the handlers bound at start. */
  protected callHandler<C extends object>(
    pattern: string,
    payload: unknown,
    context: C,
  ): Promise<unknown> {
    if (!this.messages) throw new Error(`${pattern} arrived before its handlers were bound`);
    return callMessageHandler(this.messages, payload, SagaMessageContext.of(pattern, context));
  }

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
    if (this.passes(message)) {
      this.count(message.type, 'passed');
      return;
    }
    await this.runtime.handle(message, delivery);
  }
}
