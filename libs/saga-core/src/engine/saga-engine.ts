import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ChoreographyDefinition } from '../choreography/choreography-definition';
import { ChoreographyStateMachine } from '../choreography/choreography-state-machine';
import { parseEventMessage } from '../transport/event-message.parser';
import { SagaDefinition } from '../definition/saga-definition';
import { ConcurrentUpdateError } from '../errors/concurrent-update.error';
import { IdempotencyConflictError } from '../errors/idempotency-conflict.error';
import { PoisonMessageError } from '../errors/poison-message.error';
import { SagaStateError } from '../errors/saga-state.error';
import { FaultPoint, reachFaultPoint } from '../faults/fault-point';
import { OutboxRelay } from '../messaging/outbox-relay';
import { OutboxRecord } from '../messaging/outbox-store.port';
import { debugLogging } from '../observability/log-scope';
import { bindSaga, inSagaSpan, inSpan, traceLabels } from '../observability/trace-context';
import {
  DueTimer,
  MessageClaim,
  ParkedTimer,
  SAGA_STORE,
  SagaFilter,
  SagaQuery,
  SagaStore,
  SagaTransaction,
  StoredDefinition,
} from '../persistence/saga-store.port';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from '../saga-core.options';
import { IncomingMessage } from '../transport/message-envelope';
import { MessageTransport } from '../transport/message-transport';
import { AuditEntry, AuditType } from '../model/audit-entry';
import { parseReplyMessage } from './reply-message.parser';
import { SagaChangeAnnouncer } from './saga-change-announcer';
import { SagaEndWaiters } from './saga-end-waiters';
import { SagaInstance } from '../model/saga-instance';
import { SagaMetrics } from './saga-metrics';
import { SagaMachine, SagaRegistry } from './saga-registry';
import { allowedOperatorActions } from './operator-actions';
import {
  IgnoredEvent,
  OperatorRequest,
  SagaStateMachine,
} from '../orchestration/saga-state-machine';
import { isTerminal, SagaStatus } from '../model/saga-status';
import { DEFAULT_TIMER_RETRY, SagaTimerRunner } from './saga-timer-runner';
import { SagaTransition } from '../model/saga-transition';
import { asTransition, describeTransition } from './engine-transitions';
import { checkPendingDefinitions, leavingUnregistered } from './unregistered-definitions';

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
/** Running sagas kept as this process last committed them; the oldest are forgotten first. */
const KNOWN_SAGAS = 5_000;

/** A transition that committed, with the outbox rows it wrote (to publish now). */
interface Committed {
  transition: SagaTransition;
  enqueued: readonly OutboxRecord[];
}

/** What a message does to a saga: a transition, an ignored message, or (null) nothing. */
type Decision = SagaTransition | IgnoredEvent | null;

/**
 * Runs sagas: starts them, consumes their replies, fires their timers. A reply or event for a
 * saga this process last wrote is decided on its copy in memory and committed in one statement
 * (claim the message, compare-and-set the version, write state + audit + outbox + timer); any
 * other, or one whose copy turns out stale, is one transaction (claim the message and lock the
 * saga, decide, write). This process then publishes the messages it wrote at once; the relay's
 * polling pass is the backstop if it cannot.
 */
@Injectable()
export class SagaEngine {
  private readonly logger = new Logger(SagaEngine.name);
  private readonly registry: SagaRegistry;
  private readonly metrics: SagaMetrics;
  private readonly ends: SagaEndWaiters;
  /** The last message handling queued per saga: its messages are handled in delivery order. */
  private readonly sagaQueues = new Map<string, Promise<unknown>>();
  /**
   * Running sagas as this process last committed them. Another process may have moved one on
   * since: the version compare-and-set finds out, and the message is decided again.
   */
  private readonly known = new Map<string, SagaInstance>();
  /** Every committed transition, for live views (`SagaStore.watchChanges`). */
  private readonly changes: SagaChangeAnnouncer;
  private endedWatch: { close(): Promise<void> } | null = null;
  private readonly timers: SagaTimerRunner;

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
    this.metrics = new SagaMetrics(this.service);
    for (const definition of options?.orchestrator?.definitions ?? []) this.register(definition);
    this.ends = new SagaEndWaiters(
      (id) => store.find(id),
      options?.orchestrator?.reads?.maxOpenWaits,
    );
    this.timers = new SagaTimerRunner(store, {
      service: options?.serviceName ?? 'saga-engine',
      retry: options?.orchestrator?.timerRetry ?? DEFAULT_TIMER_RETRY,
      // Left to another instance, the other versions' timers are not even claimed here.
      definitions: this.leavesUnregistered ? () => this.registry.registered() : undefined,
      fire: (tx, timer) => this.fire(tx, timer),
      committed: (fired) => this.committed(fired),
    });
    this.changes = new SagaChangeAnnouncer((changes) => this.store.announceChanges(changes));
  }

  register(definition: SagaDefinition<unknown> | ChoreographyDefinition<unknown>): void {
    this.registry.register(definition);
  }

  /** Stores the definitions, starts consuming replies and events, and firing timers. */
  async start(): Promise<void> {
    const unregistered = this.leavesUnregistered ? 'leave' : 'refuse';
    await checkPendingDefinitions(this.store, this.registry, unregistered, this.logger);
    this.endedWatch = await this.store.watchEnded((sagaId) => this.ends.wake(sagaId));
    for (const spec of this.registry.specs()) await this.store.saveDefinition(spec);
    for (const name of this.registry.commandChannels()) await this.transport.declareQueue({ name });
    const replies = { name: this.replyQueue, prefetch: 64 };
    await this.transport.declareQueue(replies);
    await this.transport.consume(replies, (message) =>
      this.unlessUnregistered(message, replies.name, () => this.handleReply(message)),
    );
    const observed = this.registry.observedEvents();
    if (observed.size > 0) {
      const bindings = [...observed].flatMap(([exchange, types]) =>
        [...types].map((routingKey) => ({ exchange, routingKey })),
      );
      for (const exchange of observed.keys()) await this.transport.declareExchange(exchange);
      const queue = { name: this.eventQueue, bindings, prefetch: 64 };
      await this.transport.declareQueue(queue);
      const types = new Set(bindings.map((b) => b.routingKey));
      await this.transport.consume(queue, (message) =>
        this.unlessUnregistered(message, queue.name, () => this.handleEvent(message, types)),
      );
    }
    this.timers.start(this.options?.orchestrator?.timerPollIntervalMs ?? 200);
  }

  async stop(): Promise<void> {
    await this.timers.stop();
    await this.changes.flush();
    await this.endedWatch?.close();
    this.endedWatch = null;
  }

  startSaga<Data>(
    name: string,
    data: Data,
    options: StartSagaOptions = {},
  ): Promise<StartSagaResult<Data>> {
    return inSpan(`saga start ${name}`, { 'saga.definition': name }, () =>
      this.insertStart(name, data, options),
    );
  }

  private async insertStart<Data>(
    name: string,
    data: Data,
    options: StartSagaOptions,
  ): Promise<StartSagaResult<Data>> {
    const machine = this.registry.latest(name);
    const sagaId = options.sagaId ?? randomUUID();
    bindSaga(sagaId);
    const transition = machine.start({
      sagaId,
      data,
      // The saga keeps the trace it starts in: its timers and operator actions continue it.
      labels: traceLabels(options.labels),
      startKey: options.startKey,
      startFingerprint: options.startFingerprint,
    });
    const { existing, enqueued } = await this.store.insert(transition);
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
    bindSaga(reply.sagaId, reply.step);
    const claim = { consumer: REPLY_CONSUMER, messageId: reply.messageId };
    const outcome = await this.inOrder(reply.sagaId, () =>
      this.decideAndWrite(reply.sagaId, claim, (instance) => {
        const machine = this.registry.machine(instance.definitionName, instance.definitionVersion);
        if (!(machine instanceof SagaStateMachine)) {
          throw new PoisonMessageError(`saga ${instance.id} is choreographed: it takes no replies`);
        }
        return machine.onReply(instance, reply);
      }),
    );
    if (outcome) this.committed(outcome);
  }

  /** Projects one event of a choreographed saga; the transport acks it once this resolves. */
  async handleEvent(message: IncomingMessage, types: ReadonlySet<string>): Promise<void> {
    const event = parseEventMessage(message.body, types);
    bindSaga(event.correlationId);
    const claim = { consumer: EVENT_CONSUMER, messageId: event.messageId };
    const outcome = await this.inOrder(event.correlationId, () =>
      this.decideAndWrite(event.correlationId, claim, (instance) => {
        const machine = this.registry.machine(instance.definitionName, instance.definitionVersion);
        return machine instanceof ChoreographyStateMachine
          ? machine.onEvent(instance, event)
          : null;
      }),
    );
    if (outcome) this.committed(outcome);
  }

  /**
   * Decides what the claimed message does to its saga and writes it with the claim: in one
   * statement on the copy this process last wrote, if it has one and it is still current;
   * otherwise in a transaction that claims the message and locks the saga first.
   */
  private async decideAndWrite(
    sagaId: string,
    claim: MessageClaim,
    decide: (instance: SagaInstance) => Decision,
  ): Promise<Committed | null> {
    const copy = this.known.get(sagaId);
    if (copy) {
      const decided = decide(copy);
      if (!decided) return null;
      const transition = asTransition(copy, decided);
      const write = await this.store.applyClaimed(transition, copy.version, claim);
      if (write.applied) return { transition, enqueued: write.enqueued };
      // Moved on elsewhere, or this message was handled already: decide under the lock.
      this.known.delete(sagaId);
    }
    return this.withRetry(() =>
      this.store.transaction(async (tx): Promise<Committed | null> => {
        const { claimed, instance } = await tx.claimAndLock(
          claim.consumer,
          claim.messageId,
          sagaId,
        );
        if (!claimed) return null;
        if (!instance) {
          this.logger.warn(`message ${claim.messageId} names unknown saga ${sagaId}`);
          return null;
        }
        const decided = decide(instance);
        if (!decided) return null;
        const transition = asTransition(instance, decided);
        await tx.update(transition, instance.version);
        return { transition, enqueued: tx.enqueued };
      }),
    );
  }

  /**
   * Fires the timers that are due, each in its own transaction; several engines may run this
   * at once (SKIP LOCKED). One whose firing throws is tried again later, then parked.
   */
  fireDueTimers(now = new Date()): Promise<number> {
    return this.timers.fireDue(now);
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
      machine.retryCompensation(saga, by),
    );
  }

  /**
   * Operator action: makes a parked timer due now, with its tries counted afresh, once what
   * made it throw is fixed (the saga's version registered again, its data repaired). Null for
   * an unknown saga; a SagaStateError when its timer is not parked.
   */
  async retryTimer(sagaId: string, by: OperatorRequest): Promise<SagaInstance | null> {
    const saga = await this.store.find(sagaId);
    if (!saga) return null;
    const at = new Date();
    const audit = [
      { sagaId, at, type: AuditType.OPERATOR_RETRIED_TIMER, step: null, detail: { ...by } },
    ];
    if (!(await this.store.retryParkedTimer(sagaId, at, audit))) {
      throw new SagaStateError(`cannot retry its timer: saga ${sagaId} has no parked timer`);
    }
    return saga;
  }

  /** The parked timers of these sagas (see `SagaQuery.timerParked`). */
  parkedTimers(sagaIds: readonly string[]): Promise<ParkedTimer[]> {
    return this.store.parkedTimers(sagaIds);
  }

  /**
   * Adds a line to a saga's audit log for something done outside it, such as an operator
   * moving its dead letter back. It moves the version, as every write does, but not the
   * saga's state or its last change. False for an unknown saga.
   */
  async annotate(sagaId: string, line: Omit<AuditEntry, 'sagaId' | 'at'>): Promise<boolean> {
    const outcome = await this.withRetry(() =>
      this.store.transaction(async (tx): Promise<Committed | null> => {
        const saga = await tx.lock(sagaId);
        if (!saga) return null;
        const instance = { ...saga, version: saga.version + 1 };
        const audit = [{ ...line, sagaId, at: new Date() }];
        const transition: SagaTransition = { instance, audit, messages: [], timer: undefined };
        await tx.update(transition, saga.version);
        return { transition, enqueued: tx.enqueued };
      }),
    );
    if (outcome) this.committed(outcome);
    return outcome !== null;
  }

  /** The work queues this engine sends commands to or consumes replies and events from. */
  queues(): string[] {
    const events = this.registry.observedEvents().size > 0 ? [this.eventQueue] : [];
    return [...new Set([...this.registry.commandChannels(), this.replyQueue, ...events])];
  }

  find(sagaId: string): Promise<SagaInstance | null> {
    return this.store.find(sagaId);
  }

  list(query: SagaQuery): Promise<SagaInstance[]> {
    return this.store.list(query);
  }

  countByStatus(filter: Omit<SagaFilter, 'status'>): Promise<Record<SagaStatus, number>> {
    return this.store.countByStatus(filter);
  }

  /** Whether an operator may cancel the saga, or retry its compensation, as it is now. */
  allowedActions(saga: SagaInstance): { cancel: boolean; retryCompensation: boolean } {
    try {
      const machine = this.registry.machine(saga.definitionName, saga.definitionVersion);
      return allowedOperatorActions(machine, saga);
    } catch {
      // A definition this app does not run: it cannot act on the saga at all.
      return { cancel: false, retryCompensation: false };
    }
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
  waitUntilEnded(sagaId: string, timeoutMs: number): Promise<SagaInstance | null> {
    return this.ends.wait(sagaId, timeoutMs);
  }

  /** Waits open at this moment, each holding no connection. */
  get waitsOpen(): number {
    return this.ends.openWaits;
  }

  private async fire(tx: SagaTransaction, timer: DueTimer): Promise<Committed | null> {
    const instance = await tx.lock(timer.sagaId);
    if (!instance) return null;
    return inSagaSpan('saga timer', instance, this.service, async () => {
      const machine = this.registry.machine(instance.definitionName, instance.definitionVersion);
      const transition = machine.onTimer(instance, timer);
      if (!transition) return null;
      await tx.update(transition, instance.version);
      return { transition, enqueued: tx.enqueued };
    });
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
        return inSagaSpan(`saga operator: ${what}`, saga, this.service, async () => {
          const machine = this.registry.machine(saga.definitionName, saga.definitionVersion);
          const result = decide(machine, saga);
          if (!result) throw new SagaStateError(`cannot ${what}: saga ${sagaId} is ${saga.status}`);
          await tx.update(result, saga.version);
          return { transition: result, enqueued: tx.enqueued };
        });
      }),
    );
    if (!outcome) return null;
    this.committed(outcome);
    return outcome.transition.instance;
  }

  private committed({ transition, enqueued }: Committed): void {
    this.metrics.observe(transition);
    if (debugLogging.enabled) this.logger.debug(describeTransition(transition));
    if (enqueued.length > 0) {
      reachFaultPoint(FaultPoint.AFTER_COMMIT_BEFORE_PUBLISH);
      this.relay.publishCommitted(enqueued);
    }
    const saga = transition.instance;
    this.changes.add({ sagaId: saga.id, status: saga.status });
    this.known.delete(saga.id);
    if (isTerminal(saga.status)) {
      this.ends.wake(saga.id, saga);
      return;
    }
    this.known.set(saga.id, saga);
    if (this.known.size > KNOWN_SAGAS) this.known.delete(this.known.keys().next().value as string);
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

  private get service(): string {
    return this.options?.serviceName ?? 'saga-engine';
  }

  /** `handle`, or the message handed back to `queue` if its saga is another instance's. */
  private unlessUnregistered(
    message: IncomingMessage,
    queue: string,
    handle: () => Promise<void>,
  ): Promise<void> {
    if (!this.leavesUnregistered) return handle();
    return leavingUnregistered(this.transport, message, queue, handle);
  }

  private get leavesUnregistered(): boolean {
    return this.options?.orchestrator?.unregisteredVersions === 'leave';
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
