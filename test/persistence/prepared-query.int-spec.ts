import { DataSource } from 'typeorm';
import { preparedQuery } from '@app/saga-core';
import { createTestDatabase, openDataSource, TestDatabase } from '../support/postgres';

const STATEMENT = { name: 'prepared-query-spec-v1', text: 'SELECT $1::int + 1 AS n' };

/** The statements this session has prepared, by name. */
const PREPARED = `SELECT name FROM pg_prepared_statements WHERE name = $1`;

/**
 * `preparedQuery`: the kit's hot statements (the inbox claim with the reply's outbox rows, a
 * reservation) are named, so PostgreSQL parses and plans them once per connection, and they
 * still run in the caller's transaction.
 */
describe('preparedQuery', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('prepared');
    dataSource = await openDataSource(db.url, []);
    await dataSource.query(`CREATE TABLE spec_rows (id int PRIMARY KEY)`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.dispose();
  });

  it('prepares the statement on the connection of the transaction, once', async () => {
    const seen = await dataSource.transaction(async (manager) => {
      const first = await preparedQuery<{ n: number }>(manager, STATEMENT, [1]);
      const second = await preparedQuery<{ n: number }>(manager, STATEMENT, [41]);
      const prepared = await manager.query<{ name: string }[]>(PREPARED, [STATEMENT.name]);
      return { first, second, prepared };
    });
    expect(seen.first).toEqual([{ n: 2 }]);
    expect(seen.second).toEqual([{ n: 42 }]);
    expect(seen.prepared).toEqual([{ name: STATEMENT.name }]);
  });

  it("writes in the caller's transaction: a rollback takes its rows back", async () => {
    const insert = {
      name: 'prepared-query-spec-insert-v1',
      text: 'INSERT INTO spec_rows VALUES ($1) RETURNING id',
    };
    await expect(
      dataSource.transaction(async (manager) => {
        expect(await preparedQuery(manager, insert, [7])).toEqual([{ id: 7 }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const committed = await dataSource.transaction((manager) =>
      preparedQuery(manager, insert, [8]),
    );
    expect(committed).toEqual([{ id: 8 }]);
    expect(await dataSource.query(`SELECT id FROM spec_rows ORDER BY id`)).toEqual([{ id: 8 }]);
  });

  it('runs the text unnamed outside a transaction', async () => {
    const rows = await preparedQuery<{ n: number }>(dataSource.manager, STATEMENT, [2]);
    expect(rows).toEqual([{ n: 3 }]);
  });

  it("throws node-postgres' error with its SQLSTATE", async () => {
    const broken = { name: 'prepared-query-spec-broken-v1', text: 'SELECT 1 / $1::int AS n' };
    await expect(
      dataSource.transaction((manager) => preparedQuery(manager, broken, [0])),
    ).rejects.toMatchObject({ code: '22012' });
  });
});
