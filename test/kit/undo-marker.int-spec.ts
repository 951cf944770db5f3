import { Client } from 'pg';
import { SqlRunner, UndoMarker } from '@app/saga-core';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { waitFor } from '../support/wait-for';

const SEATS = new UndoMarker({
  table: 'holdings',
  key: 'booking_id',
  held: 'RESERVED',
  undone: 'CANCELLED',
  tombstone: { item_id: null, qty: 0 },
  touched: 'updated_at',
  stock: { table: 'items', key: 'item_id', column: 'available', owner: 'item_id', amount: 'qty' },
});

/** The work the marker guards: a holding row, and its stock taken only if the row is new. */
const RESERVE = `WITH r AS (
    INSERT INTO holdings (booking_id, item_id, qty, status) VALUES ($1, 'A', $2, 'RESERVED')
    ON CONFLICT (booking_id) DO NOTHING RETURNING qty)
  UPDATE items SET available = available - r.qty FROM r WHERE item_id = 'A'`;

/** The rows of a statement, as an `EntityManager` answers them. */
const runnerOf = (client: Client): SqlRunner => ({
  query: async <T>(sql: string, parameters?: unknown[]) =>
    (await client.query(sql, parameters)).rows as T,
});

describe('UndoMarker on PostgreSQL', () => {
  let db: TestDatabase;
  let a: Client;
  let b: Client;

  const available = async () =>
    Number((await a.query(`SELECT available FROM items WHERE item_id = 'A'`)).rows[0].available);
  const holding = async (id: string) =>
    (await a.query(`SELECT item_id, qty, status FROM holdings WHERE booking_id = $1`, [id]))
      .rows[0] as { item_id: string | null; qty: number; status: string } | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('undo_marker');
    a = new Client({ connectionString: db.url });
    b = new Client({ connectionString: db.url });
    await Promise.all([a.connect(), b.connect()]);
    await a.query(`CREATE TABLE items (item_id text PRIMARY KEY, available int NOT NULL)`);
    await a.query(`CREATE TABLE holdings (
      booking_id text PRIMARY KEY, item_id text REFERENCES items, qty int NOT NULL,
      status text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    await a.query(`INSERT INTO items VALUES ('A', 10)`);
  });

  afterAll(async () => {
    await Promise.all([a?.end(), b?.end()]);
    await db?.dispose();
  });

  it('marks an undo that comes before the work, so the late work takes nothing', async () => {
    expect(await SEATS.undo(runnerOf(a), 'early')).toBe('marked');
    expect(await holding('early')).toEqual({ item_id: null, qty: 0, status: 'CANCELLED' });
    await a.query(RESERVE, ['early', 3]);
    expect(await holding('early')).toMatchObject({ status: 'CANCELLED' });
    expect(SEATS.isUndone('CANCELLED')).toBe(true);
    expect(await available()).toBe(10);
    expect(await SEATS.undo(runnerOf(a), 'early')).toBe('already-undone');
  });

  it('gives the work back once, however often the undo comes', async () => {
    await a.query(RESERVE, ['twice', 4]);
    expect(await available()).toBe(6);
    expect(await SEATS.undo(runnerOf(a), 'twice')).toBe('released');
    expect(await SEATS.undo(runnerOf(a), 'twice')).toBe('already-undone');
    expect(await holding('twice')).toMatchObject({ item_id: 'A', qty: 4, status: 'CANCELLED' });
    expect(await available()).toBe(10);
  });

  it('waits for work in flight and then releases it, rather than marking over it', async () => {
    await a.query('BEGIN');
    await a.query(RESERVE, ['racing', 2]);
    const pid = Number((await b.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    const undo = SEATS.undo(runnerOf(b), 'racing');
    await waitFor(async () => {
      const { rows } = await a.query(
        `SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`,
        [pid],
      );
      return rows[0]?.wait_event_type === 'Lock' ? true : undefined;
    });
    await a.query('COMMIT');
    expect(await undo).toBe('released');
    expect(await available()).toBe(10);
  });

  it('gives back a fixed amount when every holding takes the same', async () => {
    const one = new UndoMarker({ ...SEATS_SPEC, stock: { ...SEATS_SPEC.stock, amount: 1 } });
    await a.query(RESERVE, ['fixed', 1]);
    expect(await available()).toBe(9);
    expect(await one.undo(runnerOf(a), 'fixed')).toBe('released');
    expect(await one.undo(runnerOf(a), 'fixed')).toBe('already-undone');
    expect(await available()).toBe(10);
    expect(
      () => new UndoMarker({ ...SEATS_SPEC, stock: { ...SEATS_SPEC.stock, amount: 1.5 } }),
    ).toThrow(/not a whole number/);
  });

  it('refuses names that are not plain SQL identifiers', () => {
    expect(() => new UndoMarker({ ...SEATS_SPEC, table: 'holdings; DROP TABLE items' })).toThrow(
      /not a plain SQL identifier/,
    );
    expect(() => new UndoMarker({ ...SEATS_SPEC, undone: "X' OR '1" })).toThrow(
      /not a plain status value/,
    );
  });
});

const SEATS_SPEC = {
  table: 'holdings',
  key: 'booking_id',
  held: 'RESERVED',
  undone: 'CANCELLED',
  tombstone: { item_id: null, qty: 0 },
  stock: { table: 'items', key: 'item_id', column: 'available', owner: 'item_id', amount: 'qty' },
};
