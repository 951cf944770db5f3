import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ChoreographyDefinition } from '../choreography/choreography-definition';
import { ChoreographyStateMachine } from '../choreography/choreography-state-machine';
import { parseEventMessage } from '../choreography/event-message.parser';
import { SagaDefinition } from '../definition/saga-definition';
import { ConcurrentUpdateError } from '../errors/concurrent-update.error';
import { IdempotencyConflictError } from '../errors/idempotency-conflict.error';
import { PoisonMessageError } from '../errors/poison-message.error';
import { SagaStateError } from '../errors/saga-state.error';
import { FaultPoint, reachFaultPoint } from '../faults/fault-point';
import { OutboxRelay } from '../messaging/outbox-relay';
import { OutboxRecord } from '../messaging/outbox-store.port';
import { SAGA_STORE, SagaQuery, SagaStore, StoredDefinition } from '../persistence/saga-store.port';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from '../saga-core.options';
import { IncomingMessage } from '../transport/message-envelope';
import { MessageTransport } from '../transport/message-transport';
import { AuditEntry } from './audit-entry';
import { parseReplyMessage } from './reply-message.parser';
import { SagaInstance, SagaTimer } from './saga-instance';
import { SagaMachine, SagaRegistry } from './saga-registry';
import { OperatorRequest, SagaStateMachine } from './saga-state-machine';
import { isTerminal } from './saga-status';
import { SagaTransition } from './saga-transition';

export interface StartSagaOptions {
  sagaId?: string;
  /** At most one saga per key: a replay with the same fingerprint returns the first saga. */
  startKey?: string;
  startFingerprint?: string;
  labels?: Record<string, string>;
}

export interface StartSagaResult<Data> {
  instance: SagaInstance<Data>;
  /** False when the start key already named a saga (an idempotent replay). */
  created: boolean;
}

/** Inbox name under which the engine records the replies it handled. */
const REPLY_CONSUMER = 'saga-engine';
const EVENT_CONSUMER = 'saga-engine:events';
const TIMERS_PER_TICK = 100;

/** A transition that committed, with the outbox rows it wrote (to publish now). */
interface Committed {
  transition: SagaTransition;
  enqueued: readonly OutboxRecord[];
}

type Waiter = (ended?: SagaInstance) => void;

/**
 * Runs sagas: starts them, consumes their replies, fires their timers. Every event is one
 * transaction (claim the message and read-lock the saga, decide, write state + audit +
 * outbox + timer), after which this process publishes the messages it wrote at once; the
 * relay's polling pass is the backstop if it cannot.
 */
@Injectable()
export class SagaEngine {
  private readonly logger = new Logger(SagaEngine.name);
  private readonly registry: SagaRegistry;
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** The last message handling queued per saga: its messages are handled in delivery order. */
  private readonly sagaQueues = new Map<string, Promise<unknown>>();
  private endedWatch: { close(): Promise<void> } | null = null;
  private timerHandle: NodeJS.Timeout | null = null;
  private timerPass: Promise<void> | null = null;
  private timersFailing = false;
  private stopped = false;

  constructor(
    @Inject(SAGA_STORE) private readonly store: SagaStore,
    private readonly transport: MessageTransport,
    private readonly relay: OutboxRelay,
    @Optional() @Inject(SAGA_CORE_OPTIONS) private readonly options?: SagaCoreOptions,
  ) {
    this.registry = new SagaRegistry({
      now: () => new Date(),
      newId: randomUUID,
      random: Math.random,
      replyQueue: this.replyQueue,
      source: options?.serviceName ?? 'saga-engine',
    });
    for (const definition of options?.orchestrator?.definitions ?? []) this.register(definition);
  }

  register(definition: SagaDefinition<unknown> | ChoreographyDefinition<unknown>): void {
    this.registry.register(definition);
  }

  /** Stores the definitions, starts consuming replies and events, and firing timers. */
  async start(): Promise<void> {
    this.stopped = false;
    this.endedWatch = await this.store.watchEnded((sagaId) => this.wake(sagaId));
    for (const spec of this.registry.specs()) await this.store.saveDefinition(spec);
    for (const name of this.registry.commandChannels()) await this.transport.declareQueue({ name });
    const replies = { name: this.replyQueue, prefetch: 64 };
    await this.transport.declareQueue(replies);
    await this.transport.consume(replies, (message) => this.handleReply(message));
    const observed = this.registry.observedEvents();
    if (observed.size > 0) {
      const bindings = [...observed].flatMap(([exchange, types]) =>
        [...types].map((routingKey) => ({ exchange, routingKey })),
      );
      for (const exchange of observed.keys()) await this.transport.declareExchange(exchange);
      const queue = { name: this.eventQueue, bindings, prefetch: 64 };
      await this.transport.declareQueue(queue);
      const types = new Set(bindings.map((b) => b.routingKey));
      await this.transport.consume(queue, (message) => this.handleEvent(message, types));
    }
    const interval = this.options?.orchestrator?.timerPollIntervalMs ?? 200;
    this.timerHandle = setInterval(() => this.tickTimers(), interval);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timerHandle) clearInterval(this.timerHandle);
    this.timerHandle = null;
    await this.timerPass;
    await this.endedWatch?.close();
    this.endedWatch = null;
  }

  async startSaga<Data>(
    name: string,
    data: Data,
    options: StartSagaOptions = {},
  ): Promise<StartSagaResult<Data>> {
    const machine = this.registry.latest(name);
    const transition = machine.start({
      sagaId: options.sagaId ?? randomUUID(),
      data,
      labels: options.labels,
      startKey: options.startKey,
      startFingerprint: options.startFingerprint,
    });
    const { existing, enqueued } = await this.store.transaction(async (tx) => ({
      existing: await tx.insert(transition),
      enqueued: tx.enqueued,
    }));
    if (existing) {
      if (existing.startFingerprint !== (options.startFingerprint ?? null)) {
        throw new IdempotencyConflictError(
          `start key ${options.startKey} was already used with a different request`,
        );
      }
      return { instance: existing as SagaInstance<Data>, created: false };
    }
    this.committed({ transition, enqueued });
    return { instance: transition.instance as SagaInstance<Data>, created: true };
  }

  /** Handles one reply; the transport acks it once this resolves. */
  async handleReply(message: IncomingMessage): Promise<void> {
    const reply = parseReplyMessage(message.body);
    const outcome = await this.inOrder(reply.sagaId, () =>
      this.withRetry(() =>
        this.store.transaction(async (tx): Promise<Committed | null> => {
          const { claimed, instance } = await tx.claimAndLock(
            REPLY_CONSUMER,
            reply.messageId,
            reply.sagaId,
          );
          if (!claimed) return null;
          if (!instance) {
            this.logger.warn(`reply ${reply.messageId} names unknown saga ${reply.sagaId}`);
            return null;
          }
          const machine = this.registry.machine(
            instance.definitionName,
            instance.definitionVersion,
          );
          if (!(machine instanceof SagaStateMachine)) {
            throw new PoisonMessageError(
              `saga ${instance.id} is choreographed: it takes no replies`,
            );
          }
          const result = machine.onReply(instance, reply);
          if ('ignored' in result) {
            await tx.appendAudit(result.audit);
            return null;
          }
          await tx.update(result, instance.version);
          return { transition: result, enqueued: tx.enqueued };
        }),
      ),
    );
    if (outcome) this.committed(outcome);
  }

  /** Projects one event of a choreographed saga; the transport acks it once this resolves. */
  async handleEvent(message: IncomingMessage, types: ReadonlySet<string>): Promise<void> {
    const event = parseEventMessage(message.body, types);
    const outcome = await this.inOrder(event.correlationId, () =>
      this.withRetry(() =>
        this.store.transaction(async (tx): Promise<Committed | null> => {
          const { claimed, instance } = await tx.claimAndLock(
            EVENT_CONSUMER,
            event.messageId,
            event.correlationId,
          );
          if (!claimed || !instance) return null;
          const machine = this.registry.machine(
            instance.definitionName,
            instance.definitionVersion,
          );
          if (!(machine instanceof ChoreographyStateMachine)) return null;
          const result = machine.onEvent(instance, event);
          if ('ignored' in result) {
            await tx.appendAudit(result.audit);
            return null;
          }
          await tx.update(result, instance.version);
          return { transition: result, enqueued: tx.enqueued };
        }),
      ),
    );
    if (outcome) this.committed(outcome);
  }

  /** Fires the timers that are due; several engines may run this at once (SKIP LOCKED). */
  async fireDueTimers(now = new Date()): Promise<number> {
    let fired = 0;
    while (fired < TIMERS_PER_TICK && !this.stopped) {
      const outcome = await this.store.transaction(async (tx) => {
        const [timer] = await tx.claimDueTimers(now, 1);
        if (!timer) return 'none' as const;
        return this.fire(tx, timer);
      });
      if (outcome === 'none') break;
      fired++;
      if (outcome) this.committed(outcome);
    }
    return fired;
  }

  /**
   * Operator action: stops a running saga and undoes what it did. Null for an unknown saga;
   * a SagaStateError when it is not running forward any more.
   */
  cancel(sagaId: string, by: OperatorRequest): Promise<SagaInstance | null> {
    return this.operatorAction(sagaId, 'cancel', (machine, saga) => machine.cancel(saga, by));
  }

  /** Operator action: retries the compensations that failed, once their cause is fixed. */
  retryCompensation(sagaId: string, by: OperatorRequest): Promise<SagaInstance | null> {
    return this.operatorAction(sagaId, 'retry its compensation', (machine, saga) =>
      machine instanceof SagaStateMachine ? machine.retryCompensation(saga, by) : null,
    );
  }

  find(sagaId: string): Promise<SagaInstance | null> {
    return this.store.find(sagaId);
  }

  list(query: SagaQuery): Promise<SagaInstance[]> {
    return this.store.list(query);
  }

  auditLog(sagaId: string): Promise<AuditEntry[]> {
    return this.store.auditLog(sagaId);
  }

  definitions(): Promise<StoredDefinition[]> {
    return this.store.listDefinitions();
  }

  /**
   * The saga once it has ended, or as it is when `timeoutMs` runs out. Waiting costs no query:
   * the transaction that ends a saga notifies every engine on the database.
   */
  async waitUntilEnded(sagaId: string, timeoutMs: number): Promise<SagaInstance | null> {
    let wake: Waiter = () => undefined;
    const woken = new Promise<SagaInstance | undefined>((resolve) => (wake = resolve));
    const waiters = this.waiters.get(sagaId) ?? new Set<Waiter>();
    waiters.add(wake);
    this.waiters.set(sagaId, waiters);
    const timer = setTimeout(() => wake(), Math.max(0, timeoutMs));
    try {
      // Registered before the first read, so an end committed in between is not missed.
      const current = await this.store.find(sagaId);
      if (!current || isTerminal(current.status) || timeoutMs <= 0) return current;
      return (await woken) ?? (await this.store.find(sagaId));
    } finally {
      clearTimeout(timer);
      waiters.delete(wake);
      if (waiters.size === 0) this.waiters.delete(sagaId);
    }
  }

  private async fire(
    tx: Parameters<Parameters<SagaStore['transaction']>[0]>[0],
    timer: SagaTimer,
  ): Promise<Committed | null> {
    const instance = await tx.lock(timer.sagaId);
    if (!instance) return null;
    const machine = this.registry.machine(instance.definitionName, instance.definitionVersion);
    const transition = machine.onTimer(instance, timer);
    if (!transition) return null;
    await tx.update(transition, instance.version);
    return { transition, enqueued: tx.enqueued };
  }

  private async operatorAction(
    sagaId: string,
    what: string,
    decide: (machine: SagaMachine, saga: SagaInstance) => SagaTransition | null,
  ): Promise<SagaInstance | null> {
    const outcome = await this.withRetry(() =>
      this.store.transaction(async (tx): Promise<Committed | null> => {
        const saga = await tx.lock(sagaId);
        if (!saga) return null;
        const machine = this.registry.machine(saga.definitionName, saga.definitionVersion);
        const result = decide(machine, saga);
        if (!result) throw new SagaStateError(`cannot ${what}: saga ${sagaId} is ${saga.status}`);
        await tx.update(result, saga.version);
        return { transition: result, enqueued: tx.enqueued };
      }),
    );
    if (!outcome) return null;
    this.committed(outcome);
    return outcome.transition.instance;
  }

  private committed({ transition, enqueued }: Committed): void {
    if (enqueued.length > 0) {
      reachFaultPoint(FaultPoint.AFTER_COMMIT_BEFORE_PUBLISH);
      this.relay.publishCommitted(enqueued);
    }
    const saga = transition.instance;
    if (isTerminal(saga.status)) this.wake(saga.id, saga);
  }

  /** `ended` is the saga as this process committed it; without it, waiters read it again. */
  private wake(sagaId: string, ended?: SagaInstance): void {
    for (const wake of this.waiters.get(sagaId) ?? []) wake(ended);
  }

  private tickTimers(): void {
    if (this.timerPass || this.stopped) return;
    this.timerPass = this.fireDueTimers()
      .then(() => {
        if (this.timersFailing) this.logger.log('timer passes recovered');
        this.timersFailing = false;
      })
      .catch((error: unknown) => {
        // Once per outage, not every tick: the loop keeps polling and recovers by itself.
        if (!this.timersFailing) this.logger.error(`timer pass failed: ${String(error)}`);
        this.timersFailing = true;
      })
      .finally(() => (this.timerPass = null));
  }

  /**
   * Runs `work` after the work queued before it for the same saga. Messages are consumed
   * concurrently; without this, two events of one saga delivered in order (a failure, then the
   * undo it caused) could take the saga's row lock in the opposite order.
   */
  private inOrder<T>(sagaId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.sagaQueues.get(sagaId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.sagaQueues.set(sagaId, tail);
    void tail.then(() => {
      if (this.sagaQueues.get(sagaId) === tail) this.sagaQueues.delete(sagaId);
    });
    return next;
  }

  private async withRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof ConcurrentUpdateError) || attempt >= 3) throw error;
      }
    }
  }

  private get replyQueue(): string {
    return this.options?.orchestrator?.replyQueue ?? 'saga.replies';
  }

  private get eventQueue(): string {
    return (
      this.options?.orchestrator?.eventQueue ??
      `${this.options?.serviceName ?? 'saga-engine'}.events`
    );
  }
}
