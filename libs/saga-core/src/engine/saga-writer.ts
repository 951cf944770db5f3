import { Logger } from '@nestjs/common';
import { ConcurrentUpdateError } from '../errors/concurrent-update.error';
import { FaultHooks, FaultPoint } from '../model/fault-hooks';
import { SagaInstance } from '../model/saga-instance';
import { MachineDecision } from '../model/saga-machine';
import { isTerminal } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import { OutboxRecord } from '../messaging/outbox-store.port';
import { debugLogging } from '../observability/log-scope';
import { MessageClaim, SagaStore, SagaTransaction } from '../persistence/saga-store.port';
import { ClaimedWrites } from './claimed-writes';
import { asTransition, describeTransition, withChangedSteps } from './engine-transitions';
import { SagaChangeAnnouncer } from './saga-change-announcer';
import { SagaEndWaiters } from './saga-end-waiters';
import { SagaMetrics } from './saga-metrics';

/** Running sagas kept as this process last committed them; the oldest are forgotten first. */
const KNOWN_SAGAS = 5_000;

/** A transition that committed, with the outbox rows it wrote (to publish now). */
export interface Committed {
  transition: SagaTransition;
  enqueued: readonly OutboxRecord[];
}

export interface SagaWriterDeps {
  store: SagaStore;
  /** Publishes rows a transaction just committed (the relay's poll is the backstop). */
  publish(rows: readonly OutboxRecord[]): void;
  metrics: SagaMetrics;
  changes: SagaChangeAnnouncer;
  ends: SagaEndWaiters;
  faults: FaultHooks;
  /** Transitions of different sagas written in one statement at most (`ClaimedWrites`). */
  maxWritesTogether: number;
  /** A committed transition set its saga's timer, or cleared it (null): the runner wakes by it. */
  timerSet(sagaId: string, fireAt: Date | null): void;
}

/**
 * Writes what the engine decided, and does what follows a commit. A message for a saga this
 * process last wrote is decided on its copy in memory and committed in one statement (claim
 * the message, compare-and-set the version, write state, audit, outbox and timer), together
 * with those of other sagas decided meanwhile (`ClaimedWrites`); any other,
 * or one whose copy turns out stale, in one transaction that claims the message and locks the
 * saga first. Messages of one saga are handled in delivery order.
 */
export class SagaWriter {
  private readonly logger = new Logger('SagaEngine');
  /** The last message handling queued per saga. */
  private readonly sagaQueues = new Map<string, Promise<unknown>>();
  /**
   * Running sagas as this process last committed them. Another process may have moved one on
   * since: the version compare-and-set finds out, and the message is decided again.
   */
  private readonly known = new Map<string, SagaInstance>();

  private readonly claimed: ClaimedWrites;

  constructor(private readonly deps: SagaWriterDeps) {
    this.claimed = new ClaimedWrites(deps.store, deps.maxWritesTogether);
  }

  /** Decides what a claimed message does to its saga and writes it with the claim. */
  async decideAndWrite(
    sagaId: string,
    claim: MessageClaim,
    decide: (instance: SagaInstance) => MachineDecision,
  ): Promise<void> {
    const outcome = await this.inOrder(sagaId, () => this.write(sagaId, claim, decide));
    if (outcome) this.committed(outcome);
  }

  /** Locks the saga in a transaction, decides on what it reads and writes it. */
  async underLock(
    sagaId: string,
    decide: (saga: SagaInstance, tx: SagaTransaction) => Promise<SagaTransition | null>,
  ): Promise<Committed | null> {
    const outcome = await this.withRetry(() =>
      this.deps.store.transaction(async (tx): Promise<Committed | null> => {
        const saga = await tx.lock(sagaId);
        if (!saga) return null;
        const decided = await decide(saga, tx);
        if (!decided) return null;
        const transition = withChangedSteps(saga, decided);
        await tx.update(transition, saga.version);
        return { transition, enqueued: tx.enqueued };
      }),
    );
    if (outcome) this.committed(outcome);
    return outcome;
  }

  /** What follows a commit: metrics, publishing, live views, waiters, the copy in memory. */
  committed({ transition, enqueued }: Committed): void {
    this.deps.metrics.observe(transition);
    const { timer } = transition;
    if (timer !== undefined) this.deps.timerSet(transition.instance.id, timer?.fireAt ?? null);
    if (debugLogging.enabled) this.logger.debug(describeTransition(transition));
    if (enqueued.length > 0) {
      this.deps.faults.reach(FaultPoint.AFTER_COMMIT_BEFORE_PUBLISH);
      this.deps.publish(enqueued);
    }
    const saga = transition.instance;
    this.deps.changes.add({ sagaId: saga.id, status: saga.status });
    this.known.delete(saga.id);
    if (isTerminal(saga.status)) {
      this.deps.ends.wake(saga.id, saga);
      return;
    }
    this.known.set(saga.id, saga);
    if (this.known.size > KNOWN_SAGAS) this.known.delete(this.known.keys().next().value as string);
  }

  private async write(
    sagaId: string,
    claim: MessageClaim,
    decide: (instance: SagaInstance) => MachineDecision,
  ): Promise<Committed | null> {
    const copy = this.known.get(sagaId);
    if (copy) {
      const decided = decide(copy);
      if (!decided) return null;
      const transition = asTransition(copy, decided);
      const write = await this.claimed.apply(transition, copy.version, claim);
      if (write.applied) return { transition, enqueued: write.enqueued };
      // Moved on elsewhere, or this message was handled already: decide under the lock.
      this.known.delete(sagaId);
    }
    return this.withRetry(() =>
      this.deps.store.transaction(async (tx): Promise<Committed | null> => {
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
}
