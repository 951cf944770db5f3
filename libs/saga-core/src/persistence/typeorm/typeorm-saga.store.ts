import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AuditEntry } from '../../engine/audit-entry';
import { SagaInstance } from '../../engine/saga-instance';
import {
  PersistedSpec,
  SagaQuery,
  SagaStore,
  SagaTransaction,
  StoredDefinition,
} from '../saga-store.port';
import { AuditRow, SAGA_COLUMNS, SagaRow, toAuditEntry, toInstance } from './saga-row.mapper';
import { SagaEndedListener } from './saga-ended.listener';
import { TypeOrmSagaTransaction } from './typeorm-saga.transaction';

/** The engine's persistence on PostgreSQL, in raw SQL over the tables of the migrations. */
export class TypeOrmSagaStore implements SagaStore {
  private readonly logger = new Logger(TypeOrmSagaStore.name);

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

  async watchEnded(listener: (sagaId: string) => void): Promise<{ close(): Promise<void> }> {
    const { url } = this.dataSource.options as { url?: string };
    if (!url) throw new Error('watching ended sagas needs the DataSource to be configured by url');
    const watcher = new SagaEndedListener(url, listener);
    await watcher.start();
    return watcher;
  }

  transaction<T>(work: (tx: SagaTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('READ COMMITTED', (manager) =>
      work(new TypeOrmSagaTransaction(manager)),
    );
  }

  async find(sagaId: string): Promise<SagaInstance | null> {
    const rows: SagaRow[] = await this.dataSource.query(
      `SELECT ${SAGA_COLUMNS} FROM saga_instances i WHERE i.id = $1`,
      [sagaId],
    );
    return rows.length === 0 ? null : toInstance(rows[0]);
  }

  async list(query: SagaQuery): Promise<SagaInstance[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (query.status) {
      params.push(query.status);
      where.push(`i.status = $${params.length}`);
    }
    if (query.labels && Object.keys(query.labels).length > 0) {
      params.push(JSON.stringify(query.labels));
      where.push(`i.labels @> $${params.length}::jsonb`);
    }
    if (query.updatedBefore) {
      params.push(query.updatedBefore);
      where.push(`i.updated_at < $${params.length}`);
    }
    params.push(query.limit);
    const rows: SagaRow[] = await this.dataSource.query(
      `SELECT ${SAGA_COLUMNS} FROM saga_instances i
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY i.created_at DESC, i.id DESC
       LIMIT $${params.length}`,
      params,
    );
    return rows.map(toInstance);
  }

  async auditLog(sagaId: string): Promise<AuditEntry[]> {
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT saga_id, at, type, step, detail FROM saga_audit_log WHERE saga_id = $1 ORDER BY id`,
      [sagaId],
    );
    return rows.map(toAuditEntry);
  }
}
