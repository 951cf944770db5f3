import { randomUUID } from 'node:crypto';
import { sagaEngineMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { TypeOrmSagaStore } from '@app/saga-core/persistence/typeorm/typeorm-saga.store';
import { contractSaga, transitionOf } from '@app/saga-core/testing/contract-fixtures';
import { statementsOf, useTestDataSource } from '../support/postgres';

/** `find` of the PostgreSQL store: reads that meet are one statement, each answered its own. */
describe('finding sagas on PostgreSQL', () => {
  const db = useTestDataSource('saga_finds', sagaEngineMigrations);

  it('answers many finds at once, each with its own saga or null, in fewer statements', async () => {
    const store = new TypeOrmSagaStore(db.dataSource);
    const sagas = Array.from({ length: 30 }, (_, i) =>
      contractSaga({ id: randomUUID(), data: { n: i } }),
    );
    for (const saga of sagas) await store.insert(transitionOf(saga));

    const missing = randomUUID();
    const asked = [...sagas.map((s) => s.id), sagas[3].id.toUpperCase(), missing, sagas[0].id];
    const [found, names] = await statementsOf(db.dataSource, () =>
      Promise.all(asked.map((id) => store.find(id))),
    );
    expect(found.map((s) => s && (s.data as { n: number }).n)).toEqual([
      ...sagas.map((_, i) => i),
      3,
      null,
      0,
    ]);
    expect(found[0]).toEqual(await store.find(sagas[0].id));
    expect(names.length).toBeLessThan(asked.length / 2);
    expect(names).toContain('saga-find-many-v1');
  });

  it('refuses an id that is no UUID as it always did, and only that one', async () => {
    const store = new TypeOrmSagaStore(db.dataSource);
    const saga = contractSaga({ id: randomUUID() });
    await store.insert(transitionOf(saga));
    const [bad, good] = await Promise.allSettled([store.find('not-a-uuid'), store.find(saga.id)]);
    expect(bad.status).toBe('rejected');
    expect(good).toEqual({ status: 'fulfilled', value: expect.objectContaining({ id: saga.id }) });
  });
});
