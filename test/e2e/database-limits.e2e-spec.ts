import { Client, Pool } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SAGA_STORE, SagaEngine } from '@app/saga-core';
import { AppName, TripSystem } from '../support/trip-system';
import { waitFor } from '../support/wait-for';

/** Longer than the 3 s a read waits for a connection: a read stuck on a lock holds its own. */
const LOCK_TIMEOUT_MS = 8_000;
const LIMITS = {
  lock_timeout: `${LOCK_TIMEOUT_MS / 1000}s`,
  statement_timeout: '20s',
  idle_in_transaction_session_timeout: '5s',
};
const trip = (faults: Record<string, string> = {}) => ({
  customerId: 'cust-4',
  flight: { flightId: 'FL-100', seats: 1 },
  hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
  faults,
});

/**
 * Bounded waits on PostgreSQL: every connection an app opens has a lock, statement and
 * idle-in-transaction timeout; HTTP reads and long polls have a pool of their own, so that
 * however they pile up, replies and timers keep their connections; a read that cannot get a
 * connection, or waits on a lock too long, answers 503 with Retry-After, and so does a long
 * poll past the cap on open waits.
 */
describe('database limits', () => {
  let system: TripSystem;

  beforeAll(async () => {
    system = await TripSystem.start({
      env: {
        STEP_TIMEOUT_MS: '30000',
        DATABASE_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
        DATABASE_STATEMENT_TIMEOUT_MS: '20000',
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '5000',
        DATABASE_READ_POOL_SIZE: '2',
        HTTP_MAX_OPEN_WAITS: '2',
      },
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const app = (name: AppName) => {
    const found = system.apps.get(name);
    if (!found) throw new Error(`${name} is not running`);
    return found;
  };

  async function limitsOn(run: (sql: string) => Promise<{ rows: Record<string, string>[] }>) {
    const found: Record<string, string> = {};
    for (const name of Object.keys(LIMITS)) found[name] = (await run(`SHOW ${name}`)).rows[0][name];
    return found;
  }

  /** Sessions of the orchestrator's read pool, by state. */
  async function readSessions(): Promise<{ state: string; waiting: boolean }[]> {
    return system.sql<{ state: string; waiting: boolean }>(
      'orchestrator',
      `SELECT state, coalesce(wait_event_type = 'Lock', false) AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE 'orchestrator:% reads'`,
    );
  }

  it.each(['orchestrator', 'flight', 'hotel', 'payment'] as AppName[])(
    "sets the limits on the %s's pool",
    async (name) => {
      const dataSource = app(name).get(DataSource);
      expect(await limitsOn(async (sql) => ({ rows: await dataSource.query(sql) }))).toEqual(
        LIMITS,
      );
    },
  );

  it("sets them on the orchestrator's read pool and on its connection that listens for ended sagas", async () => {
    const store = app('orchestrator').get(SAGA_STORE) as unknown as { reads(): Pool };
    expect(await limitsOn((sql) => store.reads().query(sql))).toEqual(LIMITS);
    // The one connection that listens for every notification of the store (ends, changes).
    const listening = store as unknown as { notified(): { listener: { client: Client } } };
    expect(await limitsOn((sql) => listening.notified().listener.client.query(sql))).toEqual(
      LIMITS,
    );
  });

  it('keeps bookings going while every read connection is stuck, and answers the reads that cannot run with 503 and Retry-After', async () => {
    const http = () => request(app('orchestrator').getHttpServer());
    const blocker = new Client({ connectionString: system.databases.orchestrator.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE saga_definitions IN ACCESS EXCLUSIVE MODE');
      const stuck = [http().get('/saga-definitions'), http().get('/saga-definitions')].map((r) =>
        r.then((response) => response),
      );
      await waitFor(
        async () =>
          (await readSessions()).filter((s) => s.waiting).length === 2 ? true : undefined,
        { what: 'both read connections waiting on the lock' },
      );

      // The engine's own connections are free: a booking runs to its end.
      const bookingId = await system.book(trip());
      await waitFor(
        async () => {
          const [row] = await system.sql<{ status: string }>(
            'orchestrator',
            `SELECT status FROM saga_instances WHERE id = $1`,
            [bookingId],
          );
          return row?.status === 'CONFIRMED' ? true : undefined;
        },
        { what: 'the booking confirmed' },
      );
      expect((await readSessions()).filter((s) => s.waiting)).toHaveLength(2);

      // No read connection frees up within the 3 s a read waits for one.
      const starved = await http().get(`/bookings/${bookingId}`);
      expect(starved.status).toBe(503);
      expect(starved.headers['retry-after']).toBe('5');

      // The stuck reads give up at the lock timeout: "not now", not a failure.
      for (const response of await Promise.all(stuck)) {
        expect(response.status).toBe(503);
        expect(response.headers['retry-after']).toBe('5');
      }
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
    await http().get('/saga-definitions').expect(200);
  });

  it('holds no connection while a long poll waits, and answers 503 with Retry-After past the open waits cap', async () => {
    const http = () => request(app('orchestrator').getHttpServer());
    const engine = app('orchestrator').get(SagaEngine);
    // Its hotel never answers: the booking stays PENDING for the 30 s step timeout.
    const bookingId = await system.book(trip({ hotel: 'timeout' }));
    const waits = [1, 2].map(() =>
      http()
        .get(`/bookings/${bookingId}?wait=3`)
        .then((response) => response),
    );
    await waitFor(() => (engine.waitsOpen === 2 ? true : undefined), {
      what: 'two waits open',
    });
    // Each wait reads the saga once as it opens; past that read, no read connection is busy.
    await waitFor(
      async () => ((await readSessions()).every((s) => s.state === 'idle') ? true : undefined),
      { what: 'no read connection busy while the two waits are open' },
    );
    expect(engine.waitsOpen).toBe(2);

    const refused = await http().get(`/bookings/${bookingId}?wait=3`);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    expect(refused.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    // A read that does not wait is not a wait.
    await http().get(`/bookings/${bookingId}`).expect(200);

    for (const response of await Promise.all(waits)) {
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ bookingId, status: 'PENDING' });
    }
    expect(engine.waitsOpen).toBe(0);
    await http().get(`/bookings/${bookingId}?wait=0`).expect(200);
  });
});
