import { EntityManager, QueryResult } from 'typeorm';
import { AuditEntry } from '../../engine/audit-entry';
import { SagaInstance, SagaTimer } from '../../engine/saga-instance';
import { SagaTransition } from '../../engine/saga-transition';
import { isTerminal } from '../../engine/saga-status';
import { SAGA_ENDED_CHANNEL } from './saga-ended.listener';
import { ConcurrentUpdateError } from '../../errors/concurrent-update.error';
import { SagaTransaction } from '../saga-store.port';
import {
  auditColumns,
  jsonOrNull,
  SAGA_COLUMNS,
  SagaRow,
  stepColumns,
  TimerRow,
  toInstance,
  toTimer,
} from './saga-row.mapper';
import { claimIncoming, enqueueOutgoing } from './typeorm-messaging';

/** A SagaTransaction bound to the EntityManager of one open READ COMMITTED transaction. */
export class TypeOrmSagaTransaction implements SagaTransaction {
  constructor(private readonly manager: EntityManager) {}

  claimMessage(consumer: string, messageId: string): Promise<boolean> {
    return claimIncoming(this.manager, consumer, messageId);
  }

  async insert(transition: SagaTransition): Promise<SagaInstance | null> {
    const saga = transition.instance;
    // A concurrent insert of the same start key makes this wait for the other transaction,
    // then do nothing: the key decides, not a prior read.
    const inserted = await this.run(
      `INSERT INTO saga_instances (id, definition_name, definition_version, status, compensating,
         data, awaiting, failure_reason, labels, start_key, start_fingerprint, version,
         created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9::jsonb, $10, $11, $12, $13, $14)
       ON CONFLICT (start_key) DO NOTHING
       RETURNING id`,
      [
        saga.id,
        saga.definitionName,
        saga.definitionVersion,
        saga.status,
        saga.compensating,
        JSON.stringify(saga.data ?? null),
        jsonOrNull(saga.awaiting),
        saga.failureReason,
        JSON.stringify(saga.labels ?? {}),
        saga.startKey,
        saga.startFingerprint,
        saga.version,
        saga.createdAt,
        saga.updatedAt,
      ],
    );
    if (inserted.records.length === 0) {
      // A new statement sees what the winning transaction committed.
      const existing = await this.read(`i.start_key = $1`, [saga.startKey]);
      if (!existing) throw new Error(`saga with start key ${saga.startKey} vanished`);
      return existing;
    }
    await this.upsertSteps(saga);
    await this.appendAudit(transition.audit);
    await enqueueOutgoing(this.manager, transition.messages);
    if (transition.timer) await this.setTimer(saga.id, transition.timer);
    return null;
  }

  async lock(sagaId: string): Promise<SagaInstance | null> {
    const locked = await this.run(`SELECT id FROM saga_instances WHERE id = $1 FOR UPDATE`, [
      sagaId,
    ]);
    if (locked.records.length === 0) return null;
    // Read after the lock is held, in a fresh snapshot: steps included, nothing stale.
    return this.read(`i.id = $1`, [sagaId]);
  }

  async update(transition: SagaTransition, expectedVersion: number): Promise<void> {
    const saga = transition.instance;
    const updated = await this.run(
      `UPDATE saga_instances
          SET status = $3, compensating = $4, data = $5::jsonb, awaiting = $6::jsonb,
              failure_reason = $7, version = $8, updated_at = $9
        WHERE id = $1 AND version = $2`,
      [
        saga.id,
        expectedVersion,
        saga.status,
        saga.compensating,
        JSON.stringify(saga.data ?? null),
        jsonOrNull(saga.awaiting),
        saga.failureReason,
        saga.version,
        saga.updatedAt,
      ],
    );
    if (updated.affected !== 1) {
      throw new ConcurrentUpdateError(`saga ${saga.id} is no longer at version ${expectedVersion}`);
    }
    await this.upsertSteps(saga);
    await this.appendAudit(transition.audit);
    await enqueueOutgoing(this.manager, transition.messages);
    if (transition.timer) await this.setTimer(saga.id, transition.timer);
    else if (transition.timer === null) {
      await this.run(`DELETE FROM saga_timers WHERE saga_id = $1`, [saga.id]);
    }
    // Delivered on commit only, to every engine instance listening (GET …?wait=).
    if (isTerminal(saga.status)) {
      await this.run(`SELECT pg_notify('${SAGA_ENDED_CHANNEL}', $1)`, [saga.id]);
    }
  }

  async appendAudit(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // unnest yields the rows in array order, so ids (and the log) keep the engine's order.
    await this.run(
      `INSERT INTO saga_audit_log (saga_id, at, type, step, detail)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::jsonb[])`,
      auditColumns(entries),
    );
  }

  async claimDueTimers(now: Date, limit: number): Promise<SagaTimer[]> {
    const claimed = await this.run<TimerRow>(
      `DELETE FROM saga_timers
        WHERE saga_id IN (
          SELECT saga_id FROM saga_timers WHERE fire_at <= $1
           ORDER BY fire_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING saga_id, fire_at, key`,
      [now, limit],
    );
    return claimed.records.map(toTimer).sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime());
  }

  private async read(where: string, params: unknown[]): Promise<SagaInstance | null> {
    const rows = await this.run<SagaRow>(
      `SELECT ${SAGA_COLUMNS} FROM saga_instances i WHERE ${where}`,
      params,
    );
    return rows.records.length === 0 ? null : toInstance(rows.records[0]);
  }

  /** Every step in one statement; rows that did not change are left untouched. */
  private async upsertSteps(saga: SagaInstance): Promise<void> {
    if (saga.steps.length === 0) return;
    await this.run(
      `INSERT INTO saga_step_states AS t (saga_id, step_index, name, status, attempts,
         compensation_attempts, started_at, ended_at, last_error)
       SELECT $1::uuid, s.* FROM unnest($2::int[], $3::text[], $4::text[], $5::int[], $6::int[],
         $7::timestamptz[], $8::timestamptz[], $9::text[]) AS s
       ON CONFLICT (saga_id, step_index) DO UPDATE
          SET name = EXCLUDED.name, status = EXCLUDED.status, attempts = EXCLUDED.attempts,
              compensation_attempts = EXCLUDED.compensation_attempts,
              started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at,
              last_error = EXCLUDED.last_error
        WHERE (t.name, t.status, t.attempts, t.compensation_attempts, t.started_at, t.ended_at,
               t.last_error)
              IS DISTINCT FROM
              (EXCLUDED.name, EXCLUDED.status, EXCLUDED.attempts, EXCLUDED.compensation_attempts,
               EXCLUDED.started_at, EXCLUDED.ended_at, EXCLUDED.last_error)`,
      [saga.id, ...stepColumns(saga.steps)],
    );
  }

  private async setTimer(sagaId: string, timer: SagaTimer): Promise<void> {
    await this.run(
      `INSERT INTO saga_timers (saga_id, fire_at, key) VALUES ($1, $2, $3)
       ON CONFLICT (saga_id) DO UPDATE SET fire_at = EXCLUDED.fire_at, key = EXCLUDED.key`,
      [sagaId, timer.fireAt, timer.key],
    );
  }

  /** Structured results: rows and affected counts look the same for every kind of statement. */
  private run<R = unknown>(sql: string, params: unknown[]): Promise<QueryResult<R>> {
    const runner = this.manager.queryRunner;
    if (!runner) throw new Error('TypeOrmSagaTransaction needs a transactional EntityManager');
    return runner.query(sql, params, true);
  }
}
