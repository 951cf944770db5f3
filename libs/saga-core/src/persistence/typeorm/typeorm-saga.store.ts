import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

import { AuditEntry } from '../../engine/audit-entry';
import { FaultPoint, reachFaultPoint } from '../../faults/fault-point';
import { SagaInstance } from '../../engine/saga-instance';
import { SagaTransition } from '../../engine/saga-transition';
import { SagaStatus } from '../../engine/saga-status';
import {
  MessageClaim,
  PersistedSpec,
  SagaChange,
  SagaFilter,
  SagaQuery,
  SagaStore,
  SagaTransaction,
  StandaloneWrite,
  StoredDefinition,
} from '../saga-store.port';
import { AuditRow, SAGA_COLUMNS, SagaRow, toAuditEntry, toInstance } from './saga-row.mapper';
import { PgNotificationListener } from './pg-notification.listener';
import { SAGA_CHANGED_CHANNEL, SAGA_ENDED_CHANNEL } from './saga-channels';
import { sagaWhere } from './saga-filter.sql';
import { FIND_SAGA } from './saga-statements';
import { TypeOrmSagaTransaction } from './typeorm-saga.transaction';

const CHANGES_PER_NOTIFICATION = 150;

/** The engine's persistence on PostgreSQL, in raw SQL over the tables of the migrations. */
export class TypeOrmSagaStore implements SagaStore {
  private readonly logger = new Logger(TypeOrmSagaStore.name);
  private notifications?: PgNotificationListener;

  constructor(private readonly dataSource: DataSource) {}

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
    const rows: { spec: PersistedSpec; created_at: Date }[] = await this.dataSource.query(
      `SELECT spec, created_at FROM saga_definitions ORDER BY name, version`,
    );
    return rows.map((row) => ({ spec: row.spec, createdAt: row.created_at }));
  }

  watchEnded(listener: (sagaId: string) => void): Promise<{ close(): Promise<void> }> {
    return this.listener().subscribe(SAGA_ENDED_CHANNEL, listener);
  }

  watchChanges(listener: (change: SagaChange) => void): Promise<{ close(): Promise<void> }> {
    return this.listener().subscribe(SAGA_CHANGED_CHANNEL, (payload) => {
      for (const line of payload.split('\n')) {
        const [sagaId, status] = line.split(' ');
        if (sagaId && status) listener({ sagaId, status: status as SagaStatus });
      }
    });
  }

  /**
   * One statement for the whole batch, outside any saga transaction: a NOTIFY takes a lock
   * that every notifying transaction of the database waits for until it has committed, so a
   * notification inside each transition would queue up every transition's commit behind it.
   */
  async announceChanges(changes: readonly SagaChange[]): Promise<void> {
    if (changes.length === 0) return;
    const payloads: string[] = [];
    // A payload must stay under 8000 bytes: about 45 bytes a line.
    for (let i = 0; i < changes.length; i += CHANGES_PER_NOTIFICATION) {
      const chunk = changes.slice(i, i + CHANGES_PER_NOTIFICATION);
      payloads.push(chunk.map((c) => `${c.sagaId} ${c.status}`).join('\n'));
    }
    await this.pool().query(`SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p`, [
      SAGA_CHANGED_CHANNEL,
      payloads,
    ]);
  }

  private listener(): PgNotificationListener {
    const { url } = this.dataSource.options as { url?: string };
    if (!url) throw new Error('watching sagas needs the DataSource to be configured by url');
    this.notifications ??= new PgNotificationListener(url);
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
        if (tx.wrote) reachFaultPoint(FaultPoint.BEFORE_COMMIT);
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

  /** One statement on the pool: PostgreSQL commits a statement outside a transaction alone. */
  async insert(transition: SagaTransition): Promise<StandaloneWrite> {
    const tx = new TypeOrmSagaTransaction(this.pool());
    // The moment before the commit, as in a transaction: nothing is written yet.
    reachFaultPoint(FaultPoint.BEFORE_COMMIT);
    const existing = await tx.insert(transition);
    return { existing, applied: existing === null, enqueued: tx.enqueued };
  }

  async applyClaimed(
    transition: SagaTransition,
    expectedVersion: number,
    claim: MessageClaim,
  ): Promise<StandaloneWrite> {
    const tx = new TypeOrmSagaTransaction(this.pool());
    reachFaultPoint(FaultPoint.BEFORE_COMMIT);
    const applied = await tx.updateClaiming(
      transition,
      expectedVersion,
      claim.consumer,
      claim.messageId,
    );
    return { applied, enqueued: tx.enqueued };
  }

  async find(sagaId: string): Promise<SagaInstance | null> {
    const { rows } = await this.pool().query<SagaRow>({ ...FIND_SAGA, values: [sagaId] });
    return rows.length === 0 ? null : toInstance(rows[0]);
  }

  async list(query: SagaQuery): Promise<SagaInstance[]> {
    const { where, params } = sagaWhere(query);
    params.push(query.limit);
    const rows: SagaRow[] = await this.dataSource.query(
      `SELECT ${SAGA_COLUMNS} FROM saga_instances i ${where}
       ORDER BY i.created_at DESC, i.id DESC
       LIMIT $${params.length}`,
      params,
    );
    return rows.map(toInstance);
  }

  async countByStatus(filter: Omit<SagaFilter, 'status'>): Promise<Record<SagaStatus, number>> {
    const { where, params } = sagaWhere({ ...filter, status: undefined });
    const rows: { status: SagaStatus; n: number }[] = await this.dataSource.query(
      `SELECT i.status, count(*)::int AS n FROM saga_instances i ${where} GROUP BY i.status`,
      params,
    );
    const counts = Object.fromEntries(Object.values(SagaStatus).map((s) => [s, 0]));
    for (const row of rows) counts[row.status] = row.n;
    return counts as Record<SagaStatus, number>;
  }

  /** The pg pool TypeORM's PostgreSQL driver opened for this DataSource. */
  private pool(): Pool {
    const { master } = this.dataSource.driver as unknown as { master?: Pool };
    if (!master) throw new Error('TypeOrmSagaStore needs an initialised PostgreSQL DataSource');
    return master;
  }

  async auditLog(sagaId: string): Promise<AuditEntry[]> {
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT saga_id, at, type, step, detail FROM saga_audit_log WHERE saga_id = $1 ORDER BY id`,
      [sagaId],
    );
    return rows.map(toAuditEntry);
  }
}
