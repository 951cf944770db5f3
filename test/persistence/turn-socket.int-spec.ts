import { Client, Pool, PoolConfig } from 'pg';
import { pgSocketWritingByTurn } from '@app/saga-core/persistence/typeorm/turn-socket';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { writeCalls } from '../support/write-calls';

/**
 * node-postgres with `pipeline: true` writes each statement as it is queued; on a socket made
 * by `pgSocketWritingByTurn`, what is queued in one turn goes out in one write.
 */
describe('a PostgreSQL connection writing once per turn', () => {
  let db: TestDatabase;
  const pools: Pool[] = [];

  const poolOf = async (config: PoolConfig): Promise<Pool> => {
    const pool = new Pool({ connectionString: db.url, max: 1, pipeline: true, ...config });
    pools.push(pool);
    // Connected before anything is counted: the startup exchange is not what is measured.
    (await pool.connect()).release();
    return pool;
  };

  /** BEGIN, an insert and COMMIT queued in one turn; the write calls it took. */
  const transactionInOneTurn = async (pool: Pool, n: number): Promise<number> => {
    const client = await pool.connect();
    try {
      const before = writeCalls();
      await Promise.all([
        client.query('BEGIN'),
        client.query('INSERT INTO spec_rows VALUES ($1)', [n]),
        client.query('COMMIT'),
      ]);
      return writeCalls() - before;
    } finally {
      client.release();
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase('turn_socket');
    const client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE spec_rows (n int PRIMARY KEY)');
    await client.end();
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await db?.dispose();
  });

  it('writes each statement of a pipelined transaction apart on a plain socket', async () => {
    const pool = await poolOf({});
    expect(await transactionInOneTurn(pool, 1)).toBeGreaterThanOrEqual(3);
  });

  it('writes the statements queued in one turn at once, and they take effect in order', async () => {
    const pool = await poolOf({ stream: pgSocketWritingByTurn });
    expect(await transactionInOneTurn(pool, 2)).toBe(1);
    const { rows } = await pool.query<{ n: number }>('SELECT n FROM spec_rows WHERE n = 2');
    expect(rows).toEqual([{ n: 2 }]);
  });

  it('sends each statement of a chain that waits for the one before (one per turn)', async () => {
    const pool = await poolOf({ stream: pgSocketWritingByTurn });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      for (let n = 10; n < 60; n++) await client.query('INSERT INTO spec_rows VALUES ($1)', [n]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const { rows } = await pool.query<{ count: string }>(
      'SELECT count(*) FROM spec_rows WHERE n BETWEEN 10 AND 59',
    );
    expect(rows[0].count).toBe('50');
  });

  it('a failed statement rolls back what was queued with it, and the connection goes on', async () => {
    const pool = await poolOf({ stream: pgSocketWritingByTurn });
    const client = await pool.connect();
    try {
      const results = await Promise.allSettled([
        client.query('BEGIN'),
        client.query('INSERT INTO spec_rows VALUES (100)'),
        client.query('INSERT INTO spec_rows VALUES (100)'),
        client.query('COMMIT'),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      const { rows } = await client.query('SELECT n FROM spec_rows WHERE n = 100');
      expect(rows).toEqual([]);
    } finally {
      client.release();
    }
  });

  it('ends a connection whose last statement was queued in the same turn', async () => {
    const client = new Client({
      connectionString: db.url,
      pipeline: true,
      stream: pgSocketWritingByTurn,
    });
    await client.connect();
    const inserted = client.query('INSERT INTO spec_rows VALUES (200)');
    const ended = client.end();
    await Promise.all([inserted, ended]);
    const pool = await poolOf({});
    const { rows } = await pool.query('SELECT n FROM spec_rows WHERE n = 200');
    expect(rows).toEqual([{ n: 200 }]);
  });
});
