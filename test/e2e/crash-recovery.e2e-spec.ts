import { randomUUID } from 'node:crypto';
import { FaultPoint } from '@app/saga-core';
import { freePort } from '../../scripts/support/free-port';
import { AppProcess } from '../support/app-process';
import { appsBut, AuditLine, BookingView, PARTICIPANTS, TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';
import { waitFor } from '../support/wait-for';

const trip = {
  customerId: 'cust-2',
  flight: { flightId: 'FL-200', seats: 1 },
  hotel: { hotelId: 'HT-300', nights: 2, rooms: 1 },
};
/** Long enough that no step times out while its participant is down and restarting. */
const env = { STEP_TIMEOUT_MS: '60000' };
const POINTS = Object.values(FaultPoint);
const MODES = ['orchestrated', 'choreographed'] as const;

/**
 * Apps as real processes, each killed with SIGKILL at one named fault point (the process does
 * it itself, `FAULT_POINT=<name>`), then restarted: the booking still ends, nothing is lost and
 * nothing is done twice.
 */
describe('crash recovery', () => {
  describe('of the orchestrator', () => {
    let system: TripSystem;
    let orchestrator: AppProcess | null = null;
    let port: number;

    beforeAll(async () => {
      system = await TripSystem.start({ apps: [...PARTICIPANTS], env });
      port = await freePort();
    });

    afterEach(async () => {
      // A failed row must not leave its process on the port the next row listens on.
      orchestrator?.kill();
      await orchestrator?.exited;
      orchestrator = null;
    });

    afterAll(async () => {
      orchestrator?.kill();
      await system?.stop();
    });

    const base = () => `http://127.0.0.1:${port}`;
    const start = async (fault?: string) =>
      (orchestrator = await AppProcess.start(
        system,
        'orchestrator',
        fault ? { FAULT_POINT: fault } : {},
        port,
      ));

    it('loses no command when it dies between a state change and its publish', async () => {
      const doomed = await start(FaultPoint.AFTER_COMMIT_BEFORE_PUBLISH);
      await post(base(), trip, randomUUID()).catch(() => undefined);
      expect(await doomed.exited).toBe('SIGKILL');

      const [saga] = await system.sql<{ id: string; status: string }>(
        'orchestrator',
        `SELECT id::text AS id, status FROM saga_instances`,
      );
      expect(saga.status).toBe('PENDING');
      const unsent = await system.sql(
        'orchestrator',
        `SELECT type FROM saga_outbox WHERE sent_at IS NULL ORDER BY id`,
      );
      // The trip's first group: flight and hotel are sent together.
      expect(unsent).toEqual([{ type: 'flight.reserve' }, { type: 'hotel.reserve' }]);
      expect(await system.participantState('flight', saga.id)).toBeNull();

      await start();
      expect((await settled(base(), saga.id)).status).toBe('CONFIRMED');
      const commands = await system.sql<{ type: string }>(
        'orchestrator',
        `SELECT type FROM saga_outbox WHERE body->>'sagaId' = $1 ORDER BY id`,
        [saga.id],
      );
      expect(commands.map((c) => c.type)).toEqual([
        'flight.reserve',
        'hotel.reserve',
        'payment.charge',
      ]);
      expect(await system.participantState('flight', saga.id)).toMatchObject({
        status: 'RESERVED',
        seats: 1,
      });
      await assertTripInvariants(system);
      await orchestrator?.stop();
    });

    it.each(POINTS.flatMap((point) => MODES.map((mode) => [point, mode] as const)))(
      'loses nothing and does nothing twice when it dies at %s (%s)',
      async (point, mode) => {
        await crashAndRecover(system, 'orchestrator', () => start(point), start, base, mode);
        await orchestrator?.stop();
      },
    );
  });

  describe('of a participant (payment)', () => {
    let system: TripSystem;
    let payment: AppProcess | null = null;
    let port: number;

    beforeAll(async () => {
      system = await TripSystem.start({ apps: appsBut('payment'), env });
      port = await freePort();
    });

    afterEach(async () => {
      // A failed row must not leave its process on the port the next row listens on.
      payment?.kill();
      await payment?.exited;
      payment = null;
    });

    afterAll(async () => {
      payment?.kill();
      await system?.stop();
    });

    const start = async (fault?: string) =>
      (payment = await AppProcess.start(
        system,
        'payment',
        fault ? { FAULT_POINT: fault } : {},
        port,
      ));

    it.each(POINTS.flatMap((point) => MODES.map((mode) => [point, mode] as const)))(
      'loses nothing and charges once when it dies at %s (%s)',
      async (point, mode) => {
        const base = await system.listen('orchestrator');
        await crashAndRecover(
          system,
          'payment',
          () => start(point),
          start,
          () => base,
          mode,
        );
        await payment?.stop();
      },
    );
  });
});

/**
 * One booking through a crash of `target` at its fault point. The client posts under an
 * Idempotency-Key and, as a real client would after an error, posts again once the system is
 * back: a crash before the saga committed then starts it, any later one returns it.
 */
async function crashAndRecover(
  system: TripSystem,
  target: 'orchestrator' | 'payment',
  startDoomed: () => Promise<AppProcess>,
  restart: () => Promise<AppProcess>,
  base: () => string,
  mode: (typeof MODES)[number],
): Promise<void> {
  const key = randomUUID();
  const body = { ...trip, mode };
  const doomed = await startDoomed();
  await post(base(), body, key).catch(() => undefined);
  expect(await doomed.exited).toBe('SIGKILL');

  const restarted = await restart();
  const response = await post(base(), body, key);
  expect(response.ok).toBe(true);
  const { bookingId } = (await response.json()) as { bookingId: string };
  const booking = await settled(base(), bookingId).catch(async (error: Error) => {
    const audit = await (await fetch(`${base()}/bookings/${bookingId}/audit`)).text();
    throw new Error(`${error.message}; audit: ${audit}\n${target} said:\n${restarted.log()}`);
  });
  expect(booking.status).toBe('CONFIRMED');

  const sagas = await system.sql(
    'orchestrator',
    `SELECT 1 FROM saga_instances WHERE start_key = $1`,
    [key],
  );
  expect(sagas).toHaveLength(1);
  // Each answer counted once: a redelivered copy is dropped by the inbox before the saga sees it.
  // After a restart, queued events are handled concurrently: a choreographed outcome overtaken
  // by a later step's is recorded as ignored, its step already completed by inference.
  const audit = (await (
    await fetch(`${base()}/bookings/${bookingId}/audit`)
  ).json()) as AuditLine[];
  const answers = audit.filter((a) =>
    ['REPLY_RECEIVED', 'EVENT_RECEIVED', 'REPLY_IGNORED', 'EVENT_IGNORED'].includes(a.type),
  );
  expect(answers.map((a) => a.step).sort()).toEqual(['flight', 'hotel', 'payment']);
  for (const ignored of answers.filter((a) => a.type.endsWith('_IGNORED'))) {
    expect(ignored.type).toBe('EVENT_IGNORED');
    expect(ignored.detail.reason).toMatch(/ is COMPLETED$/);
  }
  const payments = await system.sql(
    'payment',
    `SELECT status FROM payments WHERE booking_id = $1`,
    [bookingId],
  );
  expect(payments).toEqual([{ status: 'CHARGED' }]);
  await waitFor(
    async () => {
      const [row] = await system.sql<{ n: number }>(
        target,
        `SELECT count(*)::int AS n FROM saga_outbox WHERE sent_at IS NULL`,
      );
      return row.n === 0 ? true : undefined;
    },
    { what: `the ${target} outbox to empty` },
  );
  await assertTripInvariants(system);
}

function post(base: string, body: object, key: string): Promise<Response> {
  return fetch(`${base}/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
}

/** Waits (with `?wait=`, no polling) until the booking has left PENDING. */
function settled(base: string, bookingId: string): Promise<BookingView> {
  return waitFor(
    async () => {
      const booking = (await (
        await fetch(`${base}/bookings/${bookingId}?wait=5`)
      ).json()) as BookingView;
      return booking.status === 'PENDING' ? undefined : booking;
    },
    { timeoutMs: 40_000, what: `booking ${bookingId} to end` },
  );
}
