import { randomUUID } from 'node:crypto';
import { SagaInstance, StepState } from '@app/saga-core/model/saga-instance';
import { SagaTransition } from '@app/saga-core/model/saga-transition';
import { emptyStep } from '@app/saga-core/model/saga-transition.helpers';
import { StepStatus } from '@app/saga-core/model/step-status';
import { sagaEngineMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { StepsInInstance1732250000031 } from '@app/saga-core/persistence/typeorm/migrations/1732250000031-steps-in-instance.migration';
import { TypeOrmSagaStore } from '@app/saga-core/persistence/typeorm/typeorm-saga.store';
import { at, contractSaga, transitionOf } from '@app/saga-core/testing/contract-fixtures';
import { createTestDatabase, openDataSource, useTestDataSource } from '../support/postgres';

const stepOf = (name: string, over: Partial<StepState> = {}): StepState => ({
  ...emptyStep(name),
  ...over,
});

/** Every field of a step set, so a round trip shows each one kept. */
const worked = (name: string): StepState =>
  stepOf(name, {
    status: StepStatus.COMPENSATED,
    attempts: 3,
    compensationAttempts: 2,
    startedAt: at(1_234),
    endedAt: at(5_678),
    lastError: 'no seats: "FL-1" \\ full',
    mayHaveTakenEffect: true,
  });

describe("a saga's steps, stored in its row (PostgreSQL)", () => {
  const pg = useTestDataSource('steps_row', sagaEngineMigrations);
  let store: TypeOrmSagaStore;

  beforeAll(() => {
    store = new TypeOrmSagaStore(pg.dataSource);
  });
  afterAll(() => store.close());

  const claim = () => ({ consumer: 'c', messageId: randomUUID() });
  const writes: [string, (t: SagaTransition, expected: number) => Promise<unknown>][] = [
    ['an update in a transaction', (t, v) => store.transaction((tx) => tx.update(t, v))],
    ['a claimed write', (t, v) => store.applyClaimed(t, v, claim())],
    [
      'a write of several sagas at once',
      (t, v) => store.applyClaimedMany([{ transition: t, expectedVersion: v, claim: claim() }]),
    ],
  ];

  it.each(writes)('keeps every field of every step, in order, through %s', async (_, write) => {
    const saga = contractSaga({
      steps: [stepOf('flight', { status: StepStatus.RUNNING, attempts: 1 }), stepOf('hotel')],
    });
    await store.insert(transitionOf(saga));
    expect((await store.find(saga.id))?.steps).toEqual(saga.steps);

    const next: SagaInstance = {
      ...saga,
      version: 2,
      steps: [worked('flight'), stepOf('hotel', { status: StepStatus.FAILED }), worked('car')],
    };
    await write(transitionOf(next), 1);
    expect((await store.find(saga.id))?.steps).toEqual(next.steps);
    // The view shows them one per row, as the table did.
    const view: { step_index: number; name: string; last_error: string | null }[] =
      await pg.dataSource.query(
        `SELECT step_index, name, last_error FROM saga_step_states WHERE saga_id = $1
          ORDER BY step_index`,
        [saga.id],
      );
    expect(view).toEqual(
      next.steps.map((s, i) => ({ step_index: i, name: s.name, last_error: s.lastError })),
    );
  });

  it('migrates step rows into their sagas and back, losing nothing', async () => {
    const old = await createTestDatabase('steps_migrate');
    const before = sagaEngineMigrations.filter((m) => m !== StepsInInstance1732250000031);
    let ds = await openDataSource(old.url, before);
    try {
      const saga = contractSaga({ steps: [worked('flight'), stepOf('hotel')], awaiting: [] });
      const bare = contractSaga({ steps: [], awaiting: [] });
      for (const s of [saga, bare]) {
        await ds.query(
          `INSERT INTO saga_instances (id, definition_name, definition_version, status, data,
                                       labels, version, created_at, updated_at)
           VALUES ($1, $2, 1, $3, $4::jsonb, $5::jsonb, 1, $6, $6)`,
          [
            s.id,
            s.definitionName,
            s.status,
            JSON.stringify(s.data),
            '{"mode":"orchestrated"}',
            at(0),
          ],
        );
      }
      for (const [i, s] of saga.steps.entries()) {
        await ds.query(
          `INSERT INTO saga_step_states (saga_id, step_index, name, status, attempts,
             compensation_attempts, started_at, ended_at, last_error, may_have_taken_effect)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
            saga.id,
            i,
            s.name,
            s.status,
            s.attempts,
            s.compensationAttempts,
            s.startedAt,
            s.endedAt,
            s.lastError,
            s.mayHaveTakenEffect,
          ],
        );
      }
      await ds.destroy();

      ds = await openDataSource(old.url, sagaEngineMigrations);
      const migrated = new TypeOrmSagaStore(ds);
      expect((await migrated.find(saga.id))?.steps).toEqual(saga.steps);
      expect((await migrated.find(bare.id))?.steps).toEqual([]);
      await migrated.close();

      await ds.undoLastMigration();
      const rows: { name: string; last_error: string | null; started_at: Date | null }[] =
        await ds.query(
          `SELECT name, last_error, started_at FROM saga_step_states WHERE saga_id = $1
            ORDER BY step_index`,
          [saga.id],
        );
      expect(rows).toEqual(
        saga.steps.map((s) => ({ name: s.name, last_error: s.lastError, started_at: s.startedAt })),
      );
    } finally {
      await ds.destroy();
      await old.dispose();
    }
  });
});
