import { isDeepStrictEqual } from 'node:util';
import { AuditEntry } from '../model/audit-entry';
import { SagaInstance } from '../model/saga-instance';
import { SagaStatus } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import {
  ClaimedWrite,
  claimedIds,
  MessageClaim,
  ParkedTimer,
  PendingDefinition,
  PersistedSpec,
  SagaChange,
  SagaFilter,
  SagaQuery,
  SagaStore,
  SagaTransaction,
  StandaloneWrite,
  StoredDefinition,
  TimerFailure,
} from '../persistence/saga-store.port';
import { InMemoryOutboxStore } from './in-memory-outbox.store';
import {
  copyOf,
  emptyTables,
  InMemorySagaTransaction,
  inboxKey,
  SagaTables,
} from './in-memory-saga.transaction';
import { SerialLock } from './serial-lock';

type Listener<T> = (value: T) => void;

/**
 * The engine's store in memory, with the PostgreSQL store's guarantees where the engine leans
 * on them: transactions commit or roll back whole (they run one at a time, so they are
 * serialisable: a lock waits for the transaction before it), an update compare-and-sets the
 * saga's version, a message is claimed once per consumer, a start key names at most one saga,
 * and due timers are taken by one claim only (deleted with it, back on a rollback). What it
 * writes to the outbox goes to `outbox`, committed with the saga. Since transactions take turns,
 * work inside one must not wait for another write of the same store (it would wait forever).
 */
export class InMemorySagaStore implements SagaStore {
  private tables: SagaTables = emptyTables();
  private readonly definitions = new Map<string, StoredDefinition>();
  private readonly lock = new SerialLock();
  private readonly endedListeners = new Set<Listener<string>>();
  private readonly changeListeners = new Set<Listener<SagaChange>>();

  constructor(readonly outbox: InMemoryOutboxStore = new InMemoryOutboxStore()) {}

  async saveDefinition(spec: PersistedSpec): Promise<void> {
    const key = `${spec.name}@${spec.version}`;
    // As the table's ON CONFLICT DO NOTHING: the first one stored is kept.
    if (!this.definitions.has(key)) {
      this.definitions.set(key, { spec: copyOf(spec), createdAt: new Date() });
    }
  }

  async listDefinitions(): Promise<StoredDefinition[]> {
    return copyOf(
      [...this.definitions.values()].sort(
        (a, b) => a.spec.name.localeCompare(b.spec.name) || a.spec.version - b.spec.version,
      ),
    );
  }

  transaction<T>(work: (tx: SagaTransaction) => Promise<T>): Promise<T> {
    return this.inTransaction(work);
  }

  insert(transition: SagaTransition): Promise<StandaloneWrite> {
    return this.inTransaction(async (tx) => {
      const existing = await tx.insert(transition);
      return { existing, applied: existing === null, enqueued: tx.enqueued };
    });
  }

  applyClaimed(
    transition: SagaTransition,
    expectedVersion: number,
    claim: MessageClaim,
  ): Promise<StandaloneWrite> {
    return this.inTransaction(async (tx) => {
      const ids = claimedIds(claim);
      if (ids.some((id) => tx.hasClaimed(claim.consumer, id))) return notApplied();
      if (!tx.updateIf(transition, expectedVersion)) return notApplied();
      for (const id of ids) tx.claim(claim.consumer, id);
      return { applied: true, enqueued: tx.enqueued };
    });
  }

  async applyClaimedMany(writes: readonly ClaimedWrite[]): Promise<StandaloneWrite[]> {
    const results: StandaloneWrite[] = [];
    for (const w of writes)
      results.push(await this.applyClaimed(w.transition, w.expectedVersion, w.claim));
    return results;
  }

  async find(sagaId: string): Promise<SagaInstance | null> {
    const saga = this.tables.sagas.get(sagaId);
    return saga ? copyOf(saga) : null;
  }

  async list(query: SagaQuery): Promise<SagaInstance[]> {
    const after = query.after;
    return this.matching(query)
      .filter(
        (s) =>
          !after ||
          s.createdAt < after.createdAt ||
          (s.createdAt.getTime() === after.createdAt.getTime() && s.id < after.id),
      )
      .slice(0, query.limit)
      .map(copyOf);
  }

  async countByStatus(filter: Omit<SagaFilter, 'status'>): Promise<Record<SagaStatus, number>> {
    const counts = Object.fromEntries(Object.values(SagaStatus).map((s) => [s, 0]));
    for (const saga of this.matching({ ...filter, status: undefined })) counts[saga.status]++;
    return counts as Record<SagaStatus, number>;
  }

  async auditLog(sagaId: string): Promise<AuditEntry[]> {
    return copyOf(this.tables.audit.get(sagaId) ?? []);
  }

  async watchEnded(listener: Listener<string>): Promise<{ close(): Promise<void> }> {
    this.endedListeners.add(listener);
    return { close: async () => void this.endedListeners.delete(listener) };
  }

  async recordTimerFailure({ timer, error, retryAt, audit }: TimerFailure): Promise<boolean> {
    return this.inTransaction(async (tx) => {
      const row = tx.tables.timers.get(timer.sagaId);
      const same = row && row.key === timer.key && row.attempts === timer.attempts;
      if (!row || !same || row.parkedAt) return false;
      row.attempts = timer.attempts + 1;
      row.lastError = error;
      row.fireAt = retryAt ?? row.fireAt;
      row.parkedAt = retryAt === null ? (audit[0]?.at ?? new Date()) : null;
      tx.appendAudit(timer.sagaId, audit);
      return true;
    });
  }

  async retryParkedTimer(sagaId: string, fireAt: Date, audit: AuditEntry[]): Promise<boolean> {
    return this.inTransaction(async (tx) => {
      const row = tx.tables.timers.get(sagaId);
      if (!row?.parkedAt) return false;
      Object.assign(row, { fireAt, attempts: 0, lastError: null, parkedAt: null });
      tx.appendAudit(sagaId, audit);
      return true;
    });
  }

  async parkedTimers(sagaIds: readonly string[]): Promise<ParkedTimer[]> {
    const parked: ParkedTimer[] = [];
    for (const sagaId of sagaIds) {
      const row = this.tables.timers.get(sagaId);
      if (!row?.parkedAt) continue;
      const { key, attempts, lastError, parkedAt } = row;
      parked.push(copyOf({ sagaId, key, attempts, lastError, parkedAt }));
    }
    return parked;
  }

  async pendingDefinitions(): Promise<PendingDefinition[]> {
    const counts = new Map<string, PendingDefinition>();
    for (const saga of this.tables.sagas.values()) {
      if (saga.status !== SagaStatus.PENDING) continue;
      const key = `${saga.definitionName}@${saga.definitionVersion}`;
      const entry = counts.get(key) ?? {
        name: saga.definitionName,
        version: saga.definitionVersion,
        sagas: 0,
      };
      entry.sagas++;
      counts.set(key, entry);
    }
    return [...counts.values()].sort(
      (a, b) => a.name.localeCompare(b.name) || a.version - b.version,
    );
  }

  async close(): Promise<void> {}

  async announceChanges(changes: readonly SagaChange[]): Promise<void> {
    for (const change of changes) for (const listener of this.changeListeners) listener(change);
  }

  async watchChanges(listener: Listener<SagaChange>): Promise<{ close(): Promise<void> }> {
    this.changeListeners.add(listener);
    return { close: async () => void this.changeListeners.delete(listener) };
  }

  /** The saga's timer as stored, or undefined: for assertions. */
  timerOf(sagaId: string): { fireAt: Date; key: string; attempts: number } | undefined {
    const row = this.tables.timers.get(sagaId);
    return row && copyOf(row);
  }

  /** Whether `consumer` claimed `messageId` (committed claims only). */
  hasClaimed(consumer: string, messageId: string): boolean {
    return this.tables.inbox.has(inboxKey(consumer, messageId));
  }

  /** Runs `work` on a copy of the tables, made current (with its outbox rows) if it returns. */
  private inTransaction<T>(work: (tx: InMemorySagaTransaction) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      const tx = new InMemorySagaTransaction(copyOf(this.tables), this.outbox);
      const result = await work(tx);
      this.tables = tx.tables;
      this.outbox.commit(tx.enqueued);
      for (const sagaId of tx.ended) for (const listener of this.endedListeners) listener(sagaId);
      return result;
    });
  }

  /** Sagas the filter covers, newest first (created_at, then id, both descending). */
  private matching(filter: SagaFilter): SagaInstance[] {
    const timers = this.tables.timers;
    return [...this.tables.sagas.values()]
      .filter(
        (s) =>
          (!filter.id || s.id === filter.id) &&
          (!filter.status || s.status === filter.status) &&
          (!filter.definitionName || s.definitionName === filter.definitionName) &&
          contains(s.labels, filter.labels ?? {}) &&
          contains(s.data, filter.dataContains ?? {}) &&
          (!filter.createdFrom || s.createdAt >= filter.createdFrom) &&
          (!filter.createdBefore || s.createdAt < filter.createdBefore) &&
          (!filter.updatedBefore || s.updatedAt < filter.updatedBefore) &&
          (!filter.timerParked || Boolean(timers.get(s.id)?.parkedAt)),
      )
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  }
}

function notApplied(): StandaloneWrite {
  return { applied: false, enqueued: [] };
}

/** jsonb's `@>`: every field of `part` is in `whole`, objects recursively, arrays by element. */
function contains(whole: unknown, part: unknown): boolean {
  if (Array.isArray(part)) {
    return Array.isArray(whole) && part.every((p) => whole.some((w) => contains(w, p)));
  }
  if (part !== null && typeof part === 'object') {
    if (whole === null || typeof whole !== 'object' || Array.isArray(whole)) return false;
    const record = whole as Record<string, unknown>;
    return Object.entries(part).every(([key, value]) => contains(record[key], value));
  }
  return isDeepStrictEqual(whole, part);
}
