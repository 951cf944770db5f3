import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import { AuditEntry } from '../../model/audit-entry';
import { FaultHooks, FaultPoint, NO_FAULTS } from '../../model/fault-hooks';
import { SagaInstance } from '../../model/saga-instance';
import { SagaTransition } from '../../model/saga-transition';
import { SagaStatus } from '../../model/saga-status';
import {
  ClaimedWrite,
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
} from '../saga-store.port';
import { AUDIT_LOG } from './audit-statements';
import { createReadPool, sessionOptionsOf, urlOf } from './pg-session';
import {
  AuditRow,
  auditColumns,
  SAGA_COLUMNS,
  SagaRow,
  toAuditEntry,
  toInstance,
} from './saga-row.mapper';
import { sagaWhere } from './saga-filter.sql';
import { SagaNotifications } from './saga-notifications';
import { applyClaimedBatch } from './saga-batch-statements';
import { sagaFinds } from './saga-finds';
import { sagaInserts } from './saga-insert-batch';
import {
  PARKED_TIMERS,
  PENDING_DEFINITIONS,
  RECORD_TIMER_FAILURE,
  RETRY_PARKED_TIMER,
} from './saga-timer-statements';
import { TypeOrmSagaTransaction } from './typeorm-saga.transaction';

export interface TypeOrmSagaStoreOptions {
  /**
   * Reads (`find`, `list`, the audit log, definitions, parked timers) on a pool of their own,
   * of this many connections; without it they share the DataSource's pool.
   */
  readPoolSize?: number;
  /** Where fault injection plugs in (`FaultPoint.BEFORE_COMMIT`); none by default. */
  faults?: FaultHooks;
}

/** The engine's persistence on PostgreSQL, in raw SQL over the tables of the migrations. */
export class TypeOrmSagaStore implements SagaStore, OnApplicationShutdown {
  private readonly logger = new Logger(TypeOrmSagaStore.name);
  private readPool: Pool | null = null;
  private notifications?: SagaNotifications;
  private readonly faults: FaultHooks;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: TypeOrmSagaStoreOptions = {},
  ) {
    this.faults = options.faults ?? NO_FAULTS;
  }

  async saveDefinition(spec: PersistedSpec): Promise<void> {
    const json = JSON.stringify(spec);
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO saga_definitions (name, version, spec) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (name, version) DO NOTHING RETURNING 1`,
      [spec.name, spec.version, json],
    );
    if (inserted.length === 1) return;
    // jsonb equality ignores key order and whitespace: only a real change is reported.
    const rows: { same: boolean }[] = await this.dataSource.query(
      `SELECT spec = $3::jsonb AS same FROM saga_definitions WHERE name = $1 AND version = $2`,
      [spec.name, spec.version, json],
    );
    if (rows[0] && !rows[0].same) {
      this.logger.warn(
        `Saga definition ${spec.name} v${spec.version} differs from the one stored; ` +
          'the stored one is kept. Give a changed definition a new version.',
      );
    }
  }

  async listDefinitions(): Promise<StoredDefinition[]> {
    const rows = await this.read<{ spec: PersistedSpec; created_at: Date }>(
      `SELECT spec, created_at FROM saga_definitions ORDER BY name, version`,
    );
    return rows.map((row) => ({ spec: row.spec, createdAt: row.created_at }));
  }

  watchEnded(listener: (sagaId: string) => void): Promise<{ close(): Promise<void> }> {
    return this.notified().watchEnded(listener);
  }

  watchChanges(listener: (change: SagaChange) => void): Promise<{ close(): Promise<void> }> {
    return this.notified().watchChanges(listener);
  }

  announceChanges(changes: readonly SagaChange[]): Promise<void> {
    return this.notified().announce(changes);
  }

  private notified(): SagaNotifications {
    this.notifications ??= new SagaNotifications(
      urlOf(this.dataSource),
      sessionOptionsOf(this.dataSource),
      this.pool(),
    );
    return this.notifications;
  }

  /**
   * One transaction on a connection of the DataSource's own pool, straight through `pg`: a
   * saga transition is four round trips (BEGIN, claim and lock, write, COMMIT), with none of
   * TypeORM's per-query work on this, the hottest path. READ COMMITTED is PostgreSQL's default.
   */
  async transaction<T>(work: (tx: SagaTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool().connect();
    let broken: Error | undefined;
    // A checked-out client has no listener of the pool's: without one, a connection lost
    // mid-transaction is an uncaught 'error' event. The query in flight fails on its own.
    const lost = (error: Error) => (broken = error);
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      try {
        const tx = new TypeOrmSagaTransaction(client);
        const result = await work(tx);
        if (tx.wrote) this.faults.reach(FaultPoint.BEFORE_COMMIT);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: unknown) => {
          // A connection that cannot roll back is not given back to the pool.
          broken = rollback instanceof Error ? rollback : new Error(String(rollback));
        });
        throw error;
      }
    } finally {
      client.removeListener('error', lost);
      client.release(broken);
    }
  }

  /** Starts that arrive while two are being written go together (`sagaInserts`). */
  private readonly inserts = sagaInserts(
    () => this.pool(),
    () => this.faults.reach(FaultPoint.BEFORE_COMMIT),
    (transition) => this.insertOne(transition),
  );

  insert(transition: SagaTransition): Promise<StandaloneWrite> {
    return this.inserts(transition);
  }

  /** One statement on the pool: PostgreSQL commits a statement outside a transaction alone. */
  private async insertOne(transition: SagaTransition): Promise<StandaloneWrite> {
    const tx = new TypeOrmSagaTransaction(this.pool());
    // The moment before the commit, as in a transaction: nothing is written yet.
    this.faults.reach(FaultPoint.BEFORE_COMMIT);
    const existing = await tx.insert(transition);
    return { existing, applied: existing === null, enqueued: tx.enqueued };
  }

  async applyClaimed(
    transition: SagaTransition,
    expectedVersion: number,
    claim: MessageClaim,
  ): Promise<StandaloneWrite> {
    const tx = new TypeOrmSagaTransaction(this.pool());
    this.faults.reach(FaultPoint.BEFORE_COMMIT);
    const applied = await tx.updateClaiming(transition, expectedVersion, claim);
    return { applied, enqueued: tx.enqueued };
  }

  /** One statement for every write (UPDATE_SAGAS_CLAIMING), committed on its own. */
  async applyClaimedMany(writes: readonly ClaimedWrite[]): Promise<StandaloneWrite[]> {
    if (writes.length === 0) return [];
    for (let i = 0; i < writes.length; i++) this.faults.reach(FaultPoint.BEFORE_COMMIT);
    return applyClaimedBatch(this.pool(), writes);
  }

  /** Reads of single sagas that meet go in one statement (`sagaFinds`). */
  private readonly finds = sagaFinds(() => this.reads());

  find(sagaId: string): Promise<SagaInstance | null> {
    return this.finds(sagaId);
  }

  async list(query: SagaQuery): Promise<SagaInstance[]> {
    const { where, params } = sagaWhere(query);
    params.push(query.limit);
    const rows = await this.read<SagaRow>(
      `SELECT ${SAGA_COLUMNS} FROM saga_instances i ${where}
       ORDER BY i.created_at DESC, i.id DESC
       LIMIT $${params.length}`,
      params,
    );
    return rows.map(toInstance);
  }

  async countByStatus(filter: Omit<SagaFilter, 'status'>): Promise<Record<SagaStatus, number>> {
    const { where, params } = sagaWhere({ ...filter, status: undefined });
    const rows = await this.read<{ status: SagaStatus; n: number }>(
      `SELECT i.status, count(*)::int AS n FROM saga_instances i ${where} GROUP BY i.status`,
      params,
    );
    const counts = Object.fromEntries(Object.values(SagaStatus).map((s) => [s, 0]));
    for (const row of rows) counts[row.status] = row.n;
    return counts as Record<SagaStatus, number>;
  }

  async auditLog(sagaId: string): Promise<AuditEntry[]> {
    const rows = await this.read<AuditRow>(AUDIT_LOG, [sagaId]);
    return rows.map(toAuditEntry);
  }

  async recordTimerFailure({ timer, error, retryAt, audit }: TimerFailure): Promise<boolean> {
    const at = audit[0]?.at ?? new Date();
    return this.changed(RECORD_TIMER_FAILURE, [
      timer.sagaId,
      timer.key,
      timer.attempts,
      timer.attempts + 1,
      error,
      retryAt,
      retryAt === null,
      at,
      ...auditColumns(audit),
    ]);
  }

  retryParkedTimer(sagaId: string, fireAt: Date, audit: AuditEntry[]): Promise<boolean> {
    return this.changed(RETRY_PARKED_TIMER, [sagaId, fireAt, ...auditColumns(audit)]);
  }

  async parkedTimers(sagaIds: readonly string[]): Promise<ParkedTimer[]> {
    if (sagaIds.length === 0) return [];
    const rows = await this.read<{
      saga_id: string;
      key: string;
      attempts: number;
      last_error: string | null;
      parked_at: Date;
    }>(PARKED_TIMERS, [sagaIds]);
    return rows.map((row) => ({
      sagaId: row.saga_id,
      key: row.key,
      attempts: row.attempts,
      lastError: row.last_error,
      parkedAt: row.parked_at,
    }));
  }

  pendingDefinitions(): Promise<PendingDefinition[]> {
    return this.read<PendingDefinition>(PENDING_DEFINITIONS);
  }

  async close(): Promise<void> {
    const pool = this.readPool;
    this.readPool = null;
    await pool?.end();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private async changed(statement: { name: string; text: string }, values: unknown[]) {
    const { rows } = await this.pool().query<{ changed: number }>({ ...statement, values });
    return rows[0].changed === 1;
  }

  private async read<R extends QueryResultRow>(text: string, values: unknown[] = []) {
    return (await this.reads().query<R>(text, values)).rows;
  }

  /** The pg pool TypeORM's PostgreSQL driver opened for this DataSource. */
  private pool(): Pool {
    const { master } = this.dataSource.driver as unknown as { master?: Pool };
    if (!master) throw new Error('TypeOrmSagaStore needs an initialised PostgreSQL DataSource');
    return master;
  }

  /** The read pool, opened on the first read (again after `close`), or the DataSource's. */
  private reads(): Pool {
    const size = this.options.readPoolSize;
    if (!size) return this.pool();
    this.readPool ??= createReadPool(this.dataSource, size);
    return this.readPool;
  }
}
