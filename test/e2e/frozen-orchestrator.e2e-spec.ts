import { randomUUID } from 'node:crypto';
import { freezeInTransaction, openTransactions } from '../../scripts/support/freeze-in-transaction';
import { mapLimit } from '../../scripts/support/map-limit';
import { vhostQueueDepths } from '../../scripts/support/rabbitmq-admin';
import { AppProcess } from '../support/app-process';
import { assertTripInvariants } from '../support/trip-invariants';
import { AuditLine, BookingView, PARTICIPANTS, TripSystem } from '../support/trip-system';
import { waitFor } from '../support/wait-for';

const STEP_TIMEOUT_MS = 2_000;
/** Shorter than the freeze: the server closes the frozen process's transactions meanwhile. */
const IDLE_IN_TRANSACTION_MS = 3_000;
const PLAN = [
  {},
  { payment: 'fail' },
  {},
  { hotel: 'timeout' },
  { flight: 'fail' },
  {},
  { payment: 'timeout' },
] as const;
const BOOKINGS = 36;

interface Posted {
  bookingId: string;
  key: string;
}

/**
 * One of two orchestrators (real built processes on one database and vhost) is frozen with
 * SIGSTOP while bookings run and while it holds transactions, longer than the step timeout,
 * then thawed with SIGCONT. The other keeps answering and firing timers; the server closes
 * the frozen transactions, so their locks do not block it for ever; every booking ends, with
 * no invariant broken and no transition applied twice.
 */
describe('a frozen orchestrator', () => {
  let system: TripSystem;
  let a: AppProcess;
  let b: AppProcess;

  beforeAll(async () => {
    system = await TripSystem.start({ apps: [...PARTICIPANTS] });
    const env = {
      STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS),
      DATABASE_LOCK_TIMEOUT_MS: '1000',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: String(IDLE_IN_TRANSACTION_MS),
    };
    // One after the other: the first migrates the shared schema.
    a = await AppProcess.start(system, 'orchestrator', env);
    b = await AppProcess.start(system, 'orchestrator', env);
  }, 90_000);

  afterAll(async () => {
    a?.signal('SIGCONT');
    await Promise.all([a?.stop(), b?.stop()]);
    await system?.stop();
  });

  /** Posts to one orchestrator; a request the frozen one cannot answer goes to the other. */
  async function post(i: number): Promise<Posted> {
    const key = `frozen-${i}-${randomUUID()}`;
    const body = {
      mode: i % 3 === 0 ? 'choreographed' : 'orchestrated',
      customerId: `cust-${(i % 3) + 1}`,
      flight: { flightId: 'FL-100', seats: 1 },
      hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
      faults: PLAN[i % PLAN.length],
    };
    for (const target of i % 2 === 0 ? [a, b, a, b] : [b, a, b, a]) {
      try {
        const response = await fetch(target.url('/bookings'), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(3_000),
        });
        if (response.status === 202) {
          return { bookingId: ((await response.json()) as BookingView).bookingId, key };
        }
      } catch {
        // Frozen, or not answering in time: the same key on the other one.
      }
    }
    throw new Error(`booking ${i} was accepted by neither orchestrator`);
  }

  const get = async <T>(app: AppProcess, path: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(app.url(path), { signal: AbortSignal.timeout(15_000) });
    return { status: response.status, body: (await response.json()) as T };
  };

  it('lets the other one answer and fire timers meanwhile, and every booking ends consistently', async () => {
    let sent = 0;
    const stream = mapLimit(
      Array.from({ length: BOOKINGS }, (_, i) => i),
      4,
      async (i) => {
        const posted = await post(i);
        sent++;
        return posted;
      },
    );
    await waitFor(() => (sent >= 8 ? true : undefined), { what: 'bookings under way' });

    const applicationName = `orchestrator:${a.pid}`;
    const frozen = await freezeInTransaction(a, system.databases.orchestrator.url, applicationName);
    expect(frozen.sessions).toBeGreaterThan(0);
    try {
      // The other one answers: health, a new booking, reads.
      expect((await get(b, '/health')).status).toBe(200);
      const probe = await fetch(b.url('/bookings'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          customerId: 'cust-1',
          flight: { flightId: 'FL-100', seats: 1 },
          hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
          faults: { hotel: 'timeout' },
        }),
      });
      expect(probe.status).toBe(202);
      const probeId = ((await probe.json()) as BookingView).bookingId;
      expect((await get(b, '/bookings?limit=5')).status).toBe(200);
      // Its timers fire: the probe's hotel step times out, so the freeze outlasts a step timeout.
      await waitFor(
        async () => {
          const audit = await get<AuditLine[]>(b, `/bookings/${probeId}/audit`);
          return audit.body.some((l) => l.type === 'STEP_TIMED_OUT') ? true : undefined;
        },
        { timeoutMs: 20_000, what: "the probe's step timed out on the other orchestrator" },
      );
      // The server closed the frozen process's transactions, and with them their locks.
      await waitFor(
        async () =>
          (await openTransactions(system.databases.orchestrator.url, applicationName)) === 0
            ? true
            : undefined,
        { timeoutMs: 20_000, what: "the frozen process's transactions closed by the server" },
      );
    } finally {
      a.signal('SIGCONT');
    }

    const posted = await stream;
    const ended = await Promise.all(posted.map(({ bookingId }) => settled(bookingId)));
    expect(ended.filter((booking) => booking.status === 'PENDING')).toEqual([]);
    await assertTripInvariants(system);
    // The thawed process lives on and answers again.
    await waitFor(async () => ((await get(a, '/health')).status === 200 ? true : undefined), {
      what: 'the thawed orchestrator healthy',
    });

    // No transition applied twice: one audit entry per (saga, step, what, phase, attempt).
    const repeated = await system.sql(
      'orchestrator',
      `SELECT saga_id, type, step, what, phase, attempt, count(*)::int AS n
         FROM (SELECT saga_id, type, step, detail->>'phase' AS phase,
                      coalesce(detail->>'attempt', detail->>'nextAttempt') AS attempt,
                      coalesce(detail->>'reply', detail->>'event', detail->>'command', '') AS what
                 FROM saga_audit_log WHERE type NOT LIKE '%IGNORED') entries
        GROUP BY saga_id, type, step, what, phase, attempt HAVING count(*) > 1`,
    );
    expect(repeated).toEqual([]);
    // A statement that waited on the frozen process's locks was tried again, never given up.
    const deadLetters = Object.entries(await vhostQueueDepths(system.vhost.vhost)).filter(
      ([queue, depth]) => queue.endsWith('.dead-letter') && depth.total > 0,
    );
    expect(deadLetters).toEqual([]);
    const [{ sagas }] = await system.sql<{ sagas: number }>(
      'orchestrator',
      `SELECT count(*)::int AS sagas FROM saga_instances`,
    );
    expect(sagas).toBe(BOOKINGS + 1);
  });

  /** Until the booking has ended, asking either orchestrator. */
  async function settled(bookingId: string): Promise<BookingView> {
    return waitFor(
      async () => {
        for (const app of [b, a]) {
          const { body } = await get<BookingView>(app, `/bookings/${bookingId}?wait=5`).catch(
            () => ({ body: undefined }),
          );
          if (body && body.status !== 'PENDING') return body;
        }
        return undefined;
      },
      { timeoutMs: 60_000, intervalMs: 10, what: `booking ${bookingId} to end` },
    );
  }
});
