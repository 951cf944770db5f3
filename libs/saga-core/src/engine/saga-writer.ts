import { Logger } from '@nestjs/common';
import { FaultHooks, FaultPoint } from '../model/fault-hooks';
import {
  DEFAULT_GROUP_COMMIT_MESSAGES,
  DEFAULT_LINGER_MS,
  GroupCommitOptions,
} from '../model/group-commit-options';
import { SagaInstance } from '../model/saga-instance';
import { MachineDecision } from '../model/saga-machine';
import { isTerminal } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import { OutboxRecord } from '../messaging/outbox-store.port';
import { debugLogging } from '../observability/log-scope';
import { MessageClaim, SagaStore, SagaTransaction } from '../persistence/saga-store.port';
import { ClaimedWrites } from './claimed-writes';
import { retryOnConcurrentUpdate } from './concurrent-retry';
import {
  DecisionMember,
  groupClaim,
  LingeringDecisions,
  LingeringGroup,
} from './lingering-decisions';
import { asTransition, describeTransition } from './engine-transitions';
import { SagaChangeAnnouncer } from './saga-change-announcer';
import { SagaEndWaiters } from './saga-end-waiters';
import { SagaMetrics } from './saga-metrics';

/** Running sagas kept as this process last committed them; the oldest are forgotten first. */
const KNOWN_SAGAS = 5_000;

/** A message queued behind its saga's previous one; `joined` once it joined a held decision. */
interface Queued {
  member: DecisionMember;
  joined: Promise<void> | null;
}

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
  /**
   * `maxMessages`: transitions of different sagas written in one statement at most
   * (`ClaimedWrites`); `lingerMs`: how long a decision that sends nothing waits for its saga's
   * next message (`LingeringDecisions`).
   */
  groupCommit?: GroupCommitOptions;
  /** Messages held by lingering decisions at most: a quarter of the inbound prefetch. */
  mostLingering: number;
  /** A committed transition set its saga's timer, or cleared it (null): the runner wakes by it. */
  timerSet(sagaId: string, fireAt: Date | null): void;
}

/**
 * Writes what the engine decided, and does what follows a commit. A message for a saga this
 * process last wrote is decided on its copy in memory and committed in one statement (claim
 * the message, compare-and-set the version, write state, audit, outbox and timer), together
 * with those of other sagas decided meanwhile (`ClaimedWrites`); any other,
 * or one whose copy turns out stale, in one transaction that claims the message and locks the
 * saga first. Messages of one saga are handled in delivery order. A decision on the copy that
 * sends nothing may wait for the saga's next message and be written with it
 * (`LingeringDecisions`); should that write find the saga moved on, each of the messages is
 * decided again under the lock, in order.
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

  /** Messages waiting behind their saga's previous one, which they may join (`joinQueued`). */
  private readonly queued = new Map<string, readonly Queued[]>();

  private readonly claimed: ClaimedWrites;
  private readonly lingering: LingeringDecisions;

  constructor(private readonly deps: SagaWriterDeps) {
    const { maxMessages, lingerMs } = deps.groupCommit ?? {};
    this.claimed = new ClaimedWrites(deps.store, maxMessages ?? DEFAULT_GROUP_COMMIT_MESSAGES);
    this.lingering = new LingeringDecisions(lingerMs ?? DEFAULT_LINGER_MS, deps.mostLingering);
    // A saga's waiters take it from `committed`, not from the database's notification.
    deps.ends.followWrites((sagaId) => this.sagaQueues.get(sagaId) ?? null);
  }

  /** Decides what a claimed message does to its saga and writes it with the claim. */
  async decideAndWrite(
    sagaId: string,
    claim: MessageClaim,
    decide: (instance: SagaInstance) => MachineDecision,
  ): Promise<void> {
    const member = { claim, decide };
    const joined = this.lingering.join(sagaId, member);
    if (joined) return joined;
    const waiting: Queued = { member, joined: null };
    if (this.sagaQueues.has(sagaId)) this.queued.set(sagaId, [...this.queuedOf(sagaId), waiting]);
    const written = await this.inOrder(sagaId, () => {
      this.unqueue(sagaId, waiting);
      return waiting.joined ? Promise.resolve(null) : this.write(sagaId, member);
    });
    if (!written) return waiting.joined ?? undefined;
    for (const outcome of written.outcomes) this.committed(outcome);
    written.group?.settle(written.failures);
    if (written.failures?.[0] !== undefined) throw written.failures[0];
  }

  /** Locks the saga in a transaction, decides on what it reads and writes it. */
  async underLock(
    sagaId: string,
    decide: (saga: SagaInstance, tx: SagaTransaction) => Promise<SagaTransition | null>,
  ): Promise<Committed | null> {
    const outcome = await retryOnConcurrentUpdate(() =>
      this.deps.store.transaction(async (tx): Promise<Committed | null> => {
        const saga = await tx.lock(sagaId);
        if (!saga) return null;
        const decided = await decide(saga, tx);
        if (!decided) return null;
        await tx.update(decided, saga.version);
        return { transition: decided, enqueued: tx.enqueued };
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

  /**
   * What a message, and those decided with it, committed: one outcome for all of them, or one
   * per message written on its own; `group` settles the messages that joined it once the
   * caller has done what follows the commit.
   */
  private async write(sagaId: string, first: DecisionMember): Promise<Written> {
    const copy = this.known.get(sagaId);
    if (!copy) return { outcomes: present(await this.underClaim(sagaId, first)) };
    const decided = first.decide(copy);
    if (!decided) return { outcomes: [] };
    const transition = asTransition(copy, decided);
    if (!this.lingering.mayLinger(transition, copy) || !this.lingering.hasRoom()) {
      return this.onCopy(copy, transition, [first]);
    }
    const group = this.lingering.hold(transition, first);
    this.joinQueued(sagaId);
    await group.released;
    try {
      return { ...(await this.onCopy(copy, group.transition, group.members)), group };
    } catch (error) {
      group.settle(group.members.map(() => error));
      throw error;
    }
  }

  /**
   * Writes a transition decided on the copy, claiming its messages; if the saga moved on
   * elsewhere, or a message was handled already, decides each message again under the lock.
   */
  private async onCopy(
    copy: SagaInstance,
    transition: SagaTransition,
    members: readonly DecisionMember[],
  ): Promise<Written> {
    const write = await this.claimed.apply(transition, copy.version, groupClaim(members));
    if (write.applied) {
      if (members.length > 1) this.deps.metrics.wroteTogether(members.length - 1);
      return { outcomes: [{ transition, enqueued: write.enqueued }] };
    }
    this.known.delete(copy.id);
    if (members.length === 1)
      return { outcomes: present(await this.underClaim(copy.id, members[0])) };
    // Each on its own now: one message's failure is its own, not the others'.
    const outcomes: Committed[] = [];
    const failures: unknown[] = [];
    for (const [i, member] of members.entries()) {
      try {
        const outcome = await this.underClaim(copy.id, member);
        if (outcome) outcomes.push(outcome);
      } catch (error) {
        failures[i] = error;
      }
    }
    return { outcomes, failures };
  }

  /** Claims the message and locks its saga in one transaction, then decides and writes. */
  private underClaim(sagaId: string, { claim, decide }: DecisionMember): Promise<Committed | null> {
    return retryOnConcurrentUpdate(() =>
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
  /**
   * Messages of the saga queued behind the one now held join it, in order, rather than wait
   * the linger out behind it (two replies delivered together); the others go on as queued.
   */
  private joinQueued(sagaId: string): void {
    for (const waiting of this.queuedOf(sagaId)) {
      const joined = this.lingering.join(sagaId, waiting.member);
      if (!joined) return;
      // Awaited by its own caller once its turn comes; it may settle before that.
      joined.catch(() => undefined);
      waiting.joined = joined;
      this.unqueue(sagaId, waiting);
    }
  }

  private queuedOf(sagaId: string): readonly Queued[] {
    return this.queued.get(sagaId) ?? [];
  }

  private unqueue(sagaId: string, waiting: Queued): void {
    const rest = this.queuedOf(sagaId).filter((q) => q !== waiting);
    if (rest.length > 0) this.queued.set(sagaId, rest);
    else this.queued.delete(sagaId);
  }

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
}

interface Written {
  outcomes: Committed[];
  group?: LingeringGroup;
  /** By member, when each was written on its own: the error of each that failed. */
  failures?: unknown[];
}

function present(outcome: Committed | null): Committed[] {
  return outcome ? [outcome] : [];
}
