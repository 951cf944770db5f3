import { Client } from 'pg';
import { JoinArrival, SqlRunner } from '@app/saga-core';
import { arriveAtJoin } from '@app/saga-core/persistence/typeorm/typeorm-event-join';
import { messagingMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { createTestDatabase, openDataSource, TestDatabase } from '../support/postgres';

/** The rows of a statement, as an `EntityManager` answers them. */
const runnerOf = (client: Client): SqlRunner => ({
  query: async <T>(sql: string, parameters?: unknown[]) =>
    (await client.query(sql, parameters)).rows as T,
});

const members = ['flight', 'hotel', 'car'];
const arrival = (
  sagaId: string,
  member: string,
  data: unknown = { from: member },
): JoinArrival => ({
  sagaId,
  step: 'payment',
  reaction: 'work',
  member,
  members,
  data,
});

describe('the joins of parallel groups on PostgreSQL', () => {
  let db: TestDatabase;
  let a: Client;
  let b: Client;

  beforeAll(async () => {
    db = await createTestDatabase('event_join');
    const dataSource = await openDataSource(db.url, messagingMigrations);
    await dataSource.destroy();
    a = new Client({ connectionString: db.url });
    b = new Client({ connectionString: db.url });
    await Promise.all([a.connect(), b.connect()]);
  });

  afterAll(async () => {
    await Promise.all([a?.end(), b?.end()]);
    await db?.dispose();
  });

  it('completes once every member has reported, in any order, with each one’s data', async () => {
    expect(await arriveAtJoin(runnerOf(a), arrival('s1', 'car'))).toBeNull();
    expect(await arriveAtJoin(runnerOf(a), arrival('s1', 'flight'))).toBeNull();
    expect(await arriveAtJoin(runnerOf(a), arrival('s1', 'hotel'))).toEqual({
      flight: { from: 'flight' },
      hotel: { from: 'hotel' },
      car: { from: 'car' },
    });
  });

  it('counts a member once, and nothing after the join fired', async () => {
    await arriveAtJoin(runnerOf(a), arrival('s2', 'flight'));
    expect(await arriveAtJoin(runnerOf(a), arrival('s2', 'flight', { again: 1 }))).toBeNull();
    await arriveAtJoin(runnerOf(a), arrival('s2', 'hotel'));
    expect(await arriveAtJoin(runnerOf(a), arrival('s2', 'car'))).not.toBeNull();
    expect(await arriveAtJoin(runnerOf(a), arrival('s2', 'car'))).toBeNull();
    const { rows } = await a.query(`SELECT arrived FROM saga_event_joins WHERE saga_id = 's2'`);
    expect(rows[0].arrived.flight).toEqual({ from: 'flight' });
  });

  it('keeps the joins of different sagas, steps and reactions apart', async () => {
    await arriveAtJoin(runnerOf(a), arrival('s3', 'flight'));
    await arriveAtJoin(runnerOf(a), { ...arrival('s3', 'hotel'), reaction: 'undo' });
    await arriveAtJoin(runnerOf(a), { ...arrival('s3', 'car'), step: 'insurance' });
    expect(await arriveAtJoin(runnerOf(a), arrival('s4', 'hotel'))).toBeNull();
    expect(await arriveAtJoin(runnerOf(a), arrival('s3', 'hotel'))).toBeNull();
  });

  it('lets exactly one of two last reports handled at once complete the join', async () => {
    await arriveAtJoin(runnerOf(a), arrival('s5', 'flight'));
    await a.query('BEGIN');
    await b.query('BEGIN');
    try {
      const first = await arriveAtJoin(runnerOf(a), arrival('s5', 'hotel'));
      // b's upsert waits on a's row lock, then sees a's report once a commits.
      const second = arriveAtJoin(runnerOf(b), arrival('s5', 'car'));
      await a.query('COMMIT');
      const results = [first, await second];
      await b.query('COMMIT');
      expect(results[0]).toBeNull();
      expect(Object.keys(results[1] ?? {}).sort()).toEqual(['car', 'flight', 'hotel']);
    } finally {
      await a.query('ROLLBACK').catch(() => undefined);
      await b.query('ROLLBACK').catch(() => undefined);
    }
  });

  it('forgets a report whose transaction rolled back, so the redelivered event counts', async () => {
    await arriveAtJoin(runnerOf(a), arrival('s6', 'flight'));
    await arriveAtJoin(runnerOf(a), arrival('s6', 'hotel'));
    await a.query('BEGIN');
    expect(await arriveAtJoin(runnerOf(a), arrival('s6', 'car'))).not.toBeNull();
    await a.query('ROLLBACK');
    expect(await arriveAtJoin(runnerOf(a), arrival('s6', 'car'))).not.toBeNull();
  });
});
