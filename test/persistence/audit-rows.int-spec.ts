import { DataSource } from 'typeorm';
import { AuditEntry, AuditType } from '@app/saga-core/model/audit-entry';
import { SagaInstance } from '@app/saga-core/model/saga-instance';
import { StepStatus } from '@app/saga-core/model/step-status';
import { sagaEngineMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { AuditPerTransition1732250000030 } from '@app/saga-core/persistence/typeorm/migrations/1732250000030-audit-per-transition.migration';
import { TypeOrmSagaStore } from '@app/saga-core/persistence/typeorm/typeorm-saga.store';
import {
  at,
  contractMessage,
  contractSaga,
  movedOn,
  stepState,
  transitionOf,
} from '@app/saga-core/testing/contract-fixtures';
import { createTestDatabase, openDataSource, useTestDataSource } from '../support/postgres';

const line = (saga: SagaInstance, type: string, step: string | null, ms: number): AuditEntry => ({
  sagaId: saga.id,
  at: at(ms),
  type,
  step,
  detail: { n: ms, quoted: 'a "b" \\ c' },
});

const newSaga = () =>
  contractSaga({ steps: [stepState('first', StepStatus.RUNNING), stepState('second')] });

interface StoredRow {
  id: string;
  lines: { type: string }[];
}

describe('the audit log, one row per transition (PostgreSQL)', () => {
  const pg = useTestDataSource('audit_rows', sagaEngineMigrations);
  let store: TypeOrmSagaStore;

  const rowsOf = (dataSource: DataSource, sagaId: string): Promise<StoredRow[]> =>
    dataSource.query(`SELECT id::text, lines FROM saga_audit WHERE saga_id = $1 ORDER BY id`, [
      sagaId,
    ]);

  beforeAll(() => {
    store = new TypeOrmSagaStore(pg.dataSource);
  });
  afterAll(() => store.close());

  it('writes each transition of each kind as one row, and reads the lines back in order', async () => {
    const saga = newSaga();
    const started = [
      line(saga, AuditType.SAGA_STARTED, null, 0),
      line(saga, AuditType.COMMAND_SENT, 'first', 1),
    ];
    await store.insert(transitionOf(saga, { audit: started, messages: [contractMessage()] }));
    const second = movedOn(saga, { moved: 1 });
    const replied = [
      line(saga, AuditType.REPLY_RECEIVED, 'first', 2),
      line(saga, AuditType.STEP_COMPLETED, 'first', 2),
      line(saga, AuditType.COMMAND_SENT, 'second', 3),
    ];
    await store.transaction((tx) => tx.update(transitionOf(second, { audit: replied }), 1));
    const third = { ...second, version: 3 };
    const claimed = [line(saga, AuditType.REPLY_IGNORED, 'second', 4)];
    const [write] = await store.applyClaimedMany([
      {
        transition: transitionOf(third, { audit: claimed }),
        expectedVersion: 2,
        claim: { consumer: 'audit-rows', messageId: 'm-1' },
      },
    ]);
    expect(write.applied).toBe(true);
    // A transition whose compare-and-set fails writes no audit row at all.
    await expect(
      store.applyClaimed(transitionOf(third, { audit: claimed }), 2, {
        consumer: 'audit-rows',
        messageId: 'm-2',
      }),
    ).resolves.toEqual({ applied: false, enqueued: [] });

    expect(await store.auditLog(saga.id)).toEqual([...started, ...replied, ...claimed]);
    const rows = await rowsOf(pg.dataSource, saga.id);
    expect(rows.map((r) => r.lines.map((l) => l.type))).toEqual([
      started.map((l) => l.type),
      replied.map((l) => l.type),
      claimed.map((l) => l.type),
    ]);
    // The view shows one line per row, each with its transition's id and place in it.
    const view: { id: string; line: number; type: string }[] = await pg.dataSource.query(
      `SELECT id::text, line, type FROM saga_audit_log WHERE saga_id = $1 ORDER BY id, line`,
      [saga.id],
    );
    expect(view.map((v) => [v.id, v.line, v.type])).toEqual(
      rows.flatMap((r) => r.lines.map((l, i) => [r.id, i + 1, l.type])),
    );
  });

  it('migrates a log of one row per line to rows per transition and back, losing nothing', async () => {
    const old = await createTestDatabase('audit_migrate');
    const before = sagaEngineMigrations.filter((m) => m !== AuditPerTransition1732250000030);
    let ds = await openDataSource(old.url, before);
    try {
      const saga = newSaga();
      const lines = [
        line(saga, AuditType.SAGA_STARTED, null, 0),
        line(saga, AuditType.COMMAND_SENT, 'first', 0),
        { ...line(saga, AuditType.STEP_FAILED, 'first', 5), detail: {} },
      ];
      for (const l of lines) {
        await ds.query(
          `INSERT INTO saga_audit_log (saga_id, at, type, step, detail) VALUES ($1, $2, $3, $4, $5)`,
          [l.sagaId, l.at, l.type, l.step, JSON.stringify(l.detail)],
        );
      }
      await ds.destroy();

      ds = await openDataSource(old.url, sagaEngineMigrations);
      const migrated = new TypeOrmSagaStore(ds);
      expect(await migrated.auditLog(saga.id)).toEqual(lines);
      expect(await rowsOf(ds, saga.id)).toHaveLength(3);
      // New rows come after the migrated ones.
      const later = line(saga, AuditType.SAGA_CANCELLED, null, 9);
      await migrated.insert(transitionOf(saga, { audit: [later] }));
      expect(await migrated.auditLog(saga.id)).toEqual([...lines, later]);

      await ds.undoLastMigration();
      const back: { type: string; step: string | null; detail: unknown }[] = await ds.query(
        `SELECT type, step, detail FROM saga_audit_log WHERE saga_id = $1 ORDER BY id`,
        [saga.id],
      );
      expect(back).toEqual(
        [...lines, later].map((l) => ({ type: l.type, step: l.step, detail: l.detail })),
      );
      await expect(ds.query(`DELETE FROM saga_audit_log`)).rejects.toThrow(/append-only/);
    } finally {
      await ds.destroy();
      await old.dispose();
    }
  });
});
