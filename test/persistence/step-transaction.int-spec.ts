import { randomUUID } from 'node:crypto';
import { DataSource, EntitySubscriberInterface } from 'typeorm';
import { messagingMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { TypeOrmInbox } from '@app/saga-core/persistence/typeorm/typeorm-inbox';
import { contractMessage } from '@app/saga-core/testing/contract-fixtures';
import { createTestDatabase, openDataSource, TestDatabase } from '../support/postgres';

/**
 * The participant step's transaction (`StepTransaction`) opens and commits without TypeORM,
 * so TypeORM must still see it as a transaction: a `manager.transaction` inside the step is a
 * savepoint, not a commit of the step; and a DataSource with subscribers keeps TypeORM's own.
 */
describe('the transaction of a participant step', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  const rows = async () =>
    (await dataSource.query<{ n: number }[]>(`SELECT n FROM spec_rows ORDER BY n`)).map((r) => r.n);

  beforeAll(async () => {
    db = await createTestDatabase('step_tx');
    dataSource = await openDataSource(db.url, messagingMigrations, { pipeline: true });
    await dataSource.query(`CREATE TABLE spec_rows (n int PRIMARY KEY)`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.dispose();
  });

  beforeEach(() => dataSource.query(`DELETE FROM spec_rows`));

  it('makes a nested manager.transaction a savepoint of the step', async () => {
    const inbox = new TypeOrmInbox(dataSource);
    const refused = inbox.transaction('spec', async (tx) => {
      await tx.manager.query(`INSERT INTO spec_rows VALUES (1)`);
      await expect(
        tx.manager.transaction(async (inner) => {
          await inner.query(`INSERT INTO spec_rows VALUES (2)`);
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      await tx.manager.transaction((inner) => inner.query(`INSERT INTO spec_rows VALUES (3)`));
      // Nothing is committed before the step is: the nested one released its savepoint only.
      const seen = await dataSource.query<{ n: number }[]>(`SELECT n FROM spec_rows`);
      expect(seen).toEqual([]);
      throw new Error('the step fails');
    });
    await expect(refused).rejects.toThrow('the step fails');
    expect(await rows()).toEqual([]);

    await inbox.transaction('spec', async (tx) => {
      await tx.manager.query(`INSERT INTO spec_rows VALUES (1)`);
      await tx.manager.transaction((inner) => inner.query(`INSERT INTO spec_rows VALUES (3)`));
      return tx.claimAndEnqueue(randomUUID(), [contractMessage()], true);
    });
    expect(await rows()).toEqual([1, 3]);
  });

  it('gives every connection back to the pool, after commits, refusals and failures', async () => {
    const inbox = new TypeOrmInbox(dataSource);
    const id = randomUUID();
    const step = (fail: boolean) =>
      inbox.transaction('spec', async (tx) => {
        if (fail) throw new Error('fails');
        return tx.claimAndEnqueue(id, [contractMessage()], true);
      });
    await step(false);
    await expect(step(true)).rejects.toThrow('fails');
    expect(await step(false)).toBeNull();
    const pool = (
      dataSource.driver as unknown as { master: { idleCount: number; totalCount: number } }
    ).master;
    expect(pool.idleCount).toBe(pool.totalCount);
  });

  it("keeps TypeORM's transaction, and its events, on a DataSource with subscribers", async () => {
    const events: string[] = [];
    const subscriber: EntitySubscriberInterface = {
      afterTransactionStart: () => void events.push('start'),
      afterTransactionCommit: () => void events.push('commit'),
      afterTransactionRollback: () => void events.push('rollback'),
    };
    dataSource.subscribers.push(subscriber);
    try {
      const inbox = new TypeOrmInbox(dataSource);
      const id = randomUUID();
      const step = (n: number) =>
        inbox.transaction('spec', async (tx) => {
          await tx.manager.query(`INSERT INTO spec_rows VALUES ($1)`, [n]);
          return tx.claimAndEnqueue(id, [contractMessage()], true);
        });
      expect(await step(5)).toHaveLength(1);
      // A copy: its work is rolled back with it.
      expect(await step(6)).toBeNull();
      expect(events).toEqual(['start', 'commit', 'start', 'rollback']);
      expect(await rows()).toEqual([5]);
    } finally {
      dataSource.subscribers.splice(dataSource.subscribers.indexOf(subscriber), 1);
    }
  });
});
