import { FLIGHT_COMMANDS, HOTEL_COMMANDS, PAYMENT_COMMANDS } from '@app/trip-api';
import { TcpProxy } from '../../scripts/support/tcp-proxy';
import { queueDepth } from '../support/rabbitmq-vhost';
import { ALL_APPS, AppName, TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';
import { waitFor } from '../support/wait-for';

const APPS: readonly AppName[] = ALL_APPS;
const DEAD_LETTER_QUEUES = [
  'orchestrator.replies',
  FLIGHT_COMMANDS,
  HOTEL_COMMANDS,
  PAYMENT_COMMANDS,
].map((queue) => `${queue}.dead-letter`);
/** Not a speed goal: what separates "a clear error" from "a hang" for an HTTP client. */
const CLEAR_ERROR_WITHIN_MS = 5_000;
/** How long PostgreSQL stays away, as in a restart of the server. */
const DATABASE_OUTAGE_MS = 10_000;

const trip = {
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 1 },
  hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
};

/**
 * RabbitMQ and PostgreSQL taken away from the apps and given back, through a loopback proxy in
 * front of each (the shared servers stay up for everyone else): the apps must say so on
 * /health, answer quickly and clearly, reconnect by themselves, and finish every saga.
 */
describe('outages', () => {
  let system: TripSystem;
  let broker: TcpProxy;
  const databases = new Map<AppName, TcpProxy>();

  beforeAll(async () => {
    system = await TripSystem.start({ apps: [] });
    broker = await TcpProxy.start({ host: '127.0.0.1', port: 5672 });
    for (const name of APPS) {
      const proxy = await TcpProxy.start({ host: '127.0.0.1', port: 5432 });
      databases.set(name, proxy);
      await system.startApp(name, {
        DATABASE_URL: proxy.rewrite(system.env(name).DATABASE_URL ?? ''),
        AMQP_URL: broker.rewrite(system.vhost.url),
        // Long enough that no step times out during an outage: every booking must confirm.
        STEP_TIMEOUT_MS: '60000',
      });
    }
  });

  // A failed test must not leave the next one without its servers.
  afterEach(() => {
    broker?.restore();
    for (const proxy of databases.values()) proxy.restore();
  });

  afterAll(async () => {
    await system?.stop();
    await broker?.close();
    for (const proxy of databases.values()) await proxy.close();
  });

  const health = async (name: AppName) => (await system.http(name).get('/health')).status;
  const allHealthy = (expected: number) =>
    waitFor(
      async () => {
        const statuses = await Promise.all(APPS.map(health));
        return statuses.every((s) => s === expected) ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: `every /health to answer ${expected}` },
    );
  const bookMany = (count: number) =>
    Promise.all(Array.from({ length: count }, () => system.book(trip)));
  const expectAllConfirmed = async (bookingIds: string[]) => {
    const settled = await Promise.all(bookingIds.map((id) => system.settled(id, 40_000)));
    expect(settled.map((b) => b.status)).toEqual(bookingIds.map(() => 'CONFIRMED'));
  };
  const expectNothingDeadLettered = async () => {
    for (const queue of DEAD_LETTER_QUEUES) {
      expect({ queue, total: (await queueDepth(system.vhost.vhost, queue)).total }).toEqual({
        queue,
        total: 0,
      });
    }
  };
  /** The status and how long it took, for requests that must fail fast rather than hang. */
  const timed = async (send: () => Promise<{ status: number; body: unknown }>) => {
    const started = Date.now();
    const response = await send();
    return { status: response.status, body: response.body, ms: Date.now() - started };
  };

  it('reconnects to RabbitMQ by itself and finishes the sagas in flight', async () => {
    await allHealthy(200);
    const inFlight = await bookMany(4);
    broker.cut();
    await allHealthy(503);
    const body = (await system.http('flight').get('/health')).body as {
      error?: Record<string, unknown>;
    };
    expect(body.error).toHaveProperty('broker');

    broker.restore();
    await allHealthy(200);
    await expectAllConfirmed(inFlight);
    // Consumers are attached again: a booking started now goes through every queue.
    await expectAllConfirmed(await bookMany(1));
    await expectNothingDeadLettered();
    await assertTripInvariants(system);
  });

  it('accepts bookings while only RabbitMQ is down, and runs them once it is back', async () => {
    broker.cut();
    await allHealthy(503);
    const accepted = await bookMany(3);
    const [held] = await system.sql<{ n: string }>(
      'orchestrator',
      `SELECT count(*) AS n FROM saga_outbox WHERE sent_at IS NULL`,
    );
    expect(Number(held.n)).toBeGreaterThanOrEqual(accepted.length);
    expect((await system.booking(accepted[0])).status).toBe('PENDING');

    broker.restore();
    await expectAllConfirmed(accepted);
    await allHealthy(200);
    await expectNothingDeadLettered();
    await assertTripInvariants(system);
  });

  it("answers 503 quickly while the orchestrator's database is down, then recovers without a restart", async () => {
    const database = databases.get('orchestrator')!;
    const inFlight = await bookMany(4);
    database.cut();
    const outage = new Promise((resolve) => setTimeout(resolve, DATABASE_OUTAGE_MS));

    const healthCheck = await timed(() => system.http('orchestrator').get('/health'));
    expect(healthCheck).toMatchObject({ status: 503 });
    expect(healthCheck.ms).toBeLessThan(CLEAR_ERROR_WITHIN_MS);
    const post = await timed(() => system.http('orchestrator').post('/bookings').send(trip));
    expect(post).toMatchObject({
      status: 503,
      body: { message: expect.stringMatching(/database/i) },
    });
    expect(post.ms).toBeLessThan(CLEAR_ERROR_WITHIN_MS);
    const get = await timed(() => system.http('orchestrator').get(`/bookings/${inFlight[0]}`));
    expect(get).toMatchObject({
      status: 503,
      body: { message: expect.stringMatching(/database/i) },
    });
    expect(get.ms).toBeLessThan(CLEAR_ERROR_WITHIN_MS);

    await outage;
    database.restore();
    await allHealthy(200);
    await expectAllConfirmed(inFlight);
    await expectAllConfirmed(await bookMany(2));
    await expectNothingDeadLettered();
    await assertTripInvariants(system);
  });

  it("holds the commands while a participant's database is down, then finishes the sagas", async () => {
    const database = databases.get('payment')!;
    database.cut();
    const outage = new Promise((resolve) => setTimeout(resolve, DATABASE_OUTAGE_MS));
    // They reserve flight and hotel, then wait on the payment step.
    const inFlight = await bookMany(4);

    const healthCheck = await timed(() => system.http('payment').get('/health'));
    expect(healthCheck).toMatchObject({ status: 503 });
    expect(healthCheck.ms).toBeLessThan(CLEAR_ERROR_WITHIN_MS);
    const accounts = await timed(() => system.http('payment').get('/accounts'));
    expect(accounts).toMatchObject({ status: 503 });
    expect(accounts.ms).toBeLessThan(CLEAR_ERROR_WITHIN_MS);

    await outage;
    expect((await system.booking(inFlight[0])).status).toBe('PENDING');
    database.restore();
    await allHealthy(200);
    await expectAllConfirmed(inFlight);
    await expectNothingDeadLettered();
    await assertTripInvariants(system);
  });
});
