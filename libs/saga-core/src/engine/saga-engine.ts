import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { IdempotencyConflictError } from '../errors/idempotency-conflict.error';
import { OutboxRelay } from '../messaging/outbox-relay';
import { AuditEntry } from '../model/audit-entry';
import { FAULT_HOOKS, FaultHooks, NO_FAULTS } from '../model/fault-hooks';
import { SagaInstance } from '../model/saga-instance';
import { OperatorRequest } from '../model/saga-machine';
import { SagaStatus } from '../model/saga-status';
import { bindSaga, inSagaSpan, inSpan, traceLabels } from '../observability/trace-context';
import {
  DueTimer,
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
import { SagaChangeAnnouncer } from './saga-change-announcer';
import { SagaEndWaiters } from './saga-end-waiters';
import { INBOUND_PREFETCH, SagaInbound } from './saga-inbound';
import { MachineFactories, SAGA_MACHINE_FACTORIES } from './saga-machine-factories';
import { SagaMetrics } from './saga-metrics';
import { SagaOperator } from './saga-operator';
import { SagaRegistry } from './saga-registry';
import { DEFAULT_TIMER_RETRY, SagaTimerRunner } from './saga-timer-runner';
import { Committed, SagaWriter } from './saga-writer';
import { checkPendingDefinitions } from './unregistered-definitions';

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

/**
 * Runs sagas: starts them, consumes their replies and events, fires their timers, and takes
 * the operator's actions. It drives every coordination style through its `SagaMachine` alone
 * (`SAGA_MACHINE_FACTORIES` says which styles an app runs); the writing, the broker side, the
 * timers and the operator actions are each their own part, and this is their facade.
 */
@Injectable()
export class SagaEngine {
  private readonly logger = new Logger(SagaEngine.name);
  private readonly registry: SagaRegistry;
  private readonly ends: SagaEndWaiters;
  /** Every committed transition, for live views (`SagaStore.watchChanges`). */
  private readonly changes: SagaChangeAnnouncer;
  private readonly writer: SagaWriter;
  private readonly inbound: SagaInbound;
  private readonly operator: SagaOperator;
  private readonly timers: SagaTimerRunner;
  private endedWatch: { close(): Promise<void> } | null = null;

  constructor(
    @Inject(SAGA_STORE) private readonly store: SagaStore,
    transport: MessageTransport,
    relay: OutboxRelay,
    @Inject(SAGA_MACHINE_FACTORIES) factories: MachineFactories,
    @Optional() @Inject(SAGA_CORE_OPTIONS) private readonly options?: SagaCoreOptions,
    @Optional() @Inject(FAULT_HOOKS) faults: FaultHooks = NO_FAULTS,
  ) {
    const service = this.service;
    const orchestrator = options?.orchestrator;
    const replyQueue = orchestrator?.replyQueue ?? 'saga.replies';
    this.registry = new SagaRegistry(
      {
        now: () => new Date(),
        newId: randomUUID,
        random: Math.random,
        replyQueue,
        source: service,
      },
      factories,
      orchestrator?.messageHeaders ?? null,
    );
    for (const definition of orchestrator?.definitions ?? []) this.register(definition);
    this.ends = new SagaEndWaiters((id) => store.find(id), orchestrator?.reads?.maxOpenWaits);
    this.changes = new SagaChangeAnnouncer((changes) => this.store.announceChanges(changes));
    this.writer = new SagaWriter({
      store,
      publish: (rows) => relay.publishCommitted(rows),
      metrics: new SagaMetrics(service),
      changes: this.changes,
      ends: this.ends,
      faults,
      groupCommit: options?.groupCommit,
      mostLingering: INBOUND_PREFETCH / 4,
      timerSet: (sagaId, fireAt) => this.timers.scheduled(sagaId, fireAt),
    });
    this.inbound = new SagaInbound(this.registry, this.writer, transport, {
      replyQueue,
      eventQueue: orchestrator?.eventQueue ?? `${service}.events`,
      leavesUnregistered: this.leavesUnregistered,
    });
    this.operator = new SagaOperator(store, this.registry, this.writer, service);
    this.timers = new SagaTimerRunner(store, {
      service,
      retry: orchestrator?.timerRetry ?? DEFAULT_TIMER_RETRY,
      // Left to another instance, the other versions' timers are not even claimed here.
      definitions: this.leavesUnregistered ? () => this.registry.registered() : undefined,
      fire: (tx, timer) => this.fire(tx, timer),
      committed: (fired) => this.writer.committed(fired),
    });
  }

  /** Registers a built definition, of any coordination style this engine runs. */
  register(definition: { spec: object }): void {
    this.registry.register(definition);
  }

  /** Stores the definitions, starts consuming replies and events, and firing timers. */
  async start(): Promise<void> {
    const unregistered = this.leavesUnregistered ? 'leave' : 'refuse';
    await checkPendingDefinitions(this.store, this.registry, unregistered, this.logger);
    this.endedWatch = await this.store.watchEnded((sagaId) => this.ends.wake(sagaId));
    for (const spec of this.registry.specs()) await this.store.saveDefinition(spec);
    await this.inbound.start();
    const orchestrator = this.options?.orchestrator;
    this.timers.start(
      orchestrator?.timerPollIntervalMs ?? 200,
      orchestrator?.timerMaxPollIntervalMs ?? 2_000,
    );
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
    const attributes = { 'saga.definition': name, 'saga.service': this.service };
    return inSpan(`saga start ${name}`, attributes, () => this.insertStart(name, data, options));
  }

  /** Handles one reply; the transport acks it once this resolves. */
  handleReply(message: IncomingMessage): Promise<void> {
    return this.inbound.handleReply(message);
  }

  /** Projects one event of a choreographed saga; the transport acks it once this resolves. */
  handleEvent(message: IncomingMessage, types: ReadonlySet<string>): Promise<void> {
    return this.inbound.handleEvent(message, types);
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
    return this.operator.cancel(sagaId, by);
  }

  /** Operator action: retries the compensations that failed, once their cause is fixed. */
  retryCompensation(sagaId: string, by: OperatorRequest): Promise<SagaInstance | null> {
    return this.operator.retryCompensation(sagaId, by);
  }

  /**
   * Operator action: makes a parked timer due now, with its tries counted afresh, once what
   * made it throw is fixed (the saga's version registered again, its data repaired). Null for
   * an unknown saga; a SagaStateError when its timer is not parked.
   */
  retryTimer(sagaId: string, by: OperatorRequest): Promise<SagaInstance | null> {
    return this.operator.retryTimer(sagaId, by);
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
  annotate(sagaId: string, line: Omit<AuditEntry, 'sagaId' | 'at'>): Promise<boolean> {
    return this.operator.annotate(sagaId, line);
  }

  /** The work queues this engine sends commands to or consumes replies and events from. */
  queues(): string[] {
    return this.inbound.workQueues();
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
    return this.operator.allowedActions(saga);
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
    this.writer.committed({ transition, enqueued });
    return { instance: transition.instance as SagaInstance<Data>, created: true };
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

  private get service(): string {
    return this.options?.serviceName ?? 'saga-engine';
  }

  private get leavesUnregistered(): boolean {
    return this.options?.orchestrator?.unregisteredVersions === 'leave';
  }
}
