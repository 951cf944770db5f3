import { ConcurrentUpdateError } from '../errors/concurrent-update.error';
import { OutboxRecord } from '../messaging/outbox-store.port';
import { AuditEntry } from '../model/audit-entry';
import { SagaInstance } from '../model/saga-instance';
import { isTerminal } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import { ClaimedSaga, DueTimer, SagaTransaction, TimerClaim } from '../persistence/saga-store.port';
import { InMemoryOutboxStore } from './in-memory-outbox.store';

/** A saga's timer as `saga_timers` holds it. */
export interface TimerRow {
  fireAt: Date;
  key: string;
  attempts: number;
  lastError: string | null;
  parkedAt: Date | null;
}

/** What the in-memory store keeps; a transaction works on a copy and commits by replacing it. */
export interface SagaTables {
  sagas: Map<string, SagaInstance>;
  audit: Map<string, AuditEntry[]>;
  timers: Map<string, TimerRow>;
  /** `consumer \0 messageId` of every claimed message. */
  inbox: Set<string>;
}

export function emptyTables(): SagaTables {
  return { sagas: new Map(), audit: new Map(), timers: new Map(), inbox: new Set() };
}

export function copyOf<T>(value: T): T {
  return structuredClone(value);
}

/**
 * A SagaTransaction on a private copy of the tables: every write lands in the copy, which the
 * store makes current on commit and drops on rollback. The outbox rows it writes are staged
 * and committed with it. Sagas read are copies, so a caller's changes never leak in.
 */
export class InMemorySagaTransaction implements SagaTransaction {
  readonly enqueued: OutboxRecord[] = [];
  /** Sagas this transaction ended, to tell the store's `watchEnded` listeners on commit. */
  readonly ended: string[] = [];

  constructor(
    readonly tables: SagaTables,
    private readonly outbox: InMemoryOutboxStore,
  ) {}

  async claimMessage(consumer: string, messageId: string): Promise<boolean> {
    return this.claim(consumer, messageId);
  }

  async insert(transition: SagaTransition): Promise<SagaInstance | null> {
    const saga = transition.instance;
    if (saga.startKey !== null) {
      const existing = [...this.tables.sagas.values()].find((s) => s.startKey === saga.startKey);
      if (existing) return copyOf(existing);
    }
    if (this.tables.sagas.has(saga.id)) throw new Error(`saga ${saga.id} exists already`);
    this.write(transition);
    return null;
  }

  async claimAndLock(consumer: string, messageId: string, sagaId: string): Promise<ClaimedSaga> {
    const saga = this.tables.sagas.get(sagaId);
    if (!saga) return { claimed: true, instance: null };
    if (!this.claim(consumer, messageId)) return { claimed: false, instance: null };
    return { claimed: true, instance: copyOf(saga) };
  }

  async lock(sagaId: string): Promise<SagaInstance | null> {
    const saga = this.tables.sagas.get(sagaId);
    return saga ? copyOf(saga) : null;
  }

  async update(transition: SagaTransition, expectedVersion: number): Promise<void> {
    if (!this.updateIf(transition, expectedVersion)) {
      const id = transition.instance.id;
      throw new ConcurrentUpdateError(`saga ${id} is no longer at version ${expectedVersion}`);
    }
  }

  /** `update` that answers false, writing nothing, when the saga is not at that version. */
  updateIf(transition: SagaTransition, expectedVersion: number): boolean {
    const current = this.tables.sagas.get(transition.instance.id);
    if (!current || current.version !== expectedVersion) return false;
    this.write(transition);
    return true;
  }

  /** Whether the message was claimed, by this transaction or a committed one. */
  hasClaimed(consumer: string, messageId: string): boolean {
    return this.tables.inbox.has(inboxKey(consumer, messageId));
  }

  async claimDueTimers(now: Date, limit: number, claim: TimerClaim = {}): Promise<DueTimer[]> {
    const skip = new Set(claim.skip ?? []);
    const due: DueTimer[] = [];
    for (const [sagaId, timer] of this.tables.timers) {
      if (timer.parkedAt || timer.fireAt > now || skip.has(sagaId)) continue;
      const saga = this.tables.sagas.get(sagaId);
      if (!saga) continue;
      const definition = { name: saga.definitionName, version: saga.definitionVersion };
      const pinned = claim.definitions;
      if (
        pinned &&
        !pinned.some((d) => d.name === definition.name && d.version === definition.version)
      ) {
        continue;
      }
      due.push({
        sagaId,
        fireAt: timer.fireAt,
        key: timer.key,
        attempts: timer.attempts,
        definition,
      });
    }
    due.sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime());
    const taken = due.slice(0, limit);
    // Deleted with the claim; a rollback of the transaction puts them back.
    for (const timer of taken) this.tables.timers.delete(timer.sagaId);
    return copyOf(taken);
  }

  /** Records the message as claimed; false when it was already. */
  claim(consumer: string, messageId: string): boolean {
    const key = inboxKey(consumer, messageId);
    if (this.tables.inbox.has(key)) return false;
    this.tables.inbox.add(key);
    return true;
  }

  /** Appends audit lines of a saga. */
  appendAudit(sagaId: string, lines: readonly AuditEntry[]): void {
    const log = this.tables.audit.get(sagaId) ?? [];
    log.push(...copyOf(lines));
    this.tables.audit.set(sagaId, log);
  }

  private write(transition: SagaTransition): void {
    const saga = copyOf(transition.instance);
    this.tables.sagas.set(saga.id, saga);
    this.appendAudit(saga.id, transition.audit);
    const staged = this.outbox.stage(copyOf(transition.messages));
    this.enqueued.push(...staged);
    if (transition.timer) {
      const { fireAt, key } = transition.timer;
      // A timer set again starts with no failed tries, as the PostgreSQL store's upsert does.
      this.tables.timers.set(saga.id, {
        fireAt: new Date(fireAt),
        key,
        attempts: 0,
        lastError: null,
        parkedAt: null,
      });
    } else if (transition.timer === null) {
      this.tables.timers.delete(saga.id);
    }
    if (isTerminal(saga.status)) this.ended.push(saga.id);
  }
}

export function inboxKey(consumer: string, messageId: string): string {
  return `${consumer}\u0000${messageId}`;
}
