import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { MessageTransport } from '@app/saga-core';
import { RabbitMqTransport } from '@app/saga-core/transport/rabbitmq/rabbitmq.transport';
import { createOrchestratorApp } from '../../apps/orchestrator/src/orchestrator.app';
import { AppName, BookingView, TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';
import { eventually } from '../support/wait-for';

/** Per booking: the fault it asks for, and how it must end. */
const PLAN = [
  { faults: {}, status: 'CONFIRMED' },
  { faults: { payment: 'fail' }, status: 'CANCELLED' },
  { faults: {}, status: 'CONFIRMED' },
  { faults: { hotel: 'timeout' }, status: 'CANCELLED' },
  { faults: {}, status: 'CONFIRMED' },
  { faults: { flight: 'fail' }, status: 'CANCELLED' },
  { faults: { payment: 'timeout' }, status: 'CANCELLED' },
] as const;
const BOOKINGS = 42;
jest.setTimeout(120_000);

/**
 * Two orchestrator instances on one database and one vhost share the replies, the events, the
 * timers and the outbox. Whatever the interleaving, each transition, timer and outbox row takes
 * effect once: no audit entry twice, no command sent twice, no command answered twice, and
 * every message handled. Deliveries themselves are at least once, so they are not counted.
 */
describe('two orchestrators', () => {
  let system: TripSystem;
  let second: INestApplication;

  beforeAll(async () => {
    system = await TripSystem.start({ env: { STEP_TIMEOUT_MS: '15000' } });
    second = await createOrchestratorApp(system.env('orchestrator'), { logger: false });
  });

  afterAll(async () => {
    await second?.close();
    await system?.stop();
  });

  it('processes each transition, timer and outbox row once while racing on the same sagas', async () => {
    const orchestrators = [system.apps.get('orchestrator'), second] as INestApplication[];
    const bookings = await Promise.all(
      Array.from({ length: BOOKINGS }, async (_, i) => {
        const plan = PLAN[i % PLAN.length];
        const mode = i % 2 === 0 ? 'orchestrated' : 'choreographed';
        const response = await request(orchestrators[i % 2].getHttpServer())
          .post('/bookings')
          .send({
            mode,
            customerId: `cust-${(i % 3) + 1}`,
            flight: { flightId: 'FL-100', seats: 1 },
            hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
            faults: plan.faults,
          })
          .expect(202);
        return { id: (response.body as { bookingId: string }).bookingId, plan, mode };
      }),
    );

    // Each waits on the other instance than the one it was posted to.
    const ended = await Promise.all(
      bookings.map(({ id }, i) => settled(orchestrators[(i + 1) % 2], id)),
    );
    expect(ended.map((b) => `${b.mode} ${b.status}`)).toEqual(
      bookings.map(({ plan, mode }) => `${mode} ${plan.status}`),
    );
    await assertTripInvariants(system);

    // No transition applied twice: one audit entry per (saga, step, what, phase, attempt).
    const repeated = await system.sql(
      'orchestrator',
      `SELECT saga_id, type, step, what, phase, attempt, count(*)::int AS n
         FROM (SELECT saga_id, type, step, detail->>'phase' AS phase, detail->>'attempt' AS attempt,
                      coalesce(detail->>'reply', detail->>'event', detail->>'command', '') AS what
                 FROM saga_audit_log) entries
        GROUP BY saga_id, type, step, what, phase, attempt HAVING count(*) > 1`,
    );
    expect(repeated).toEqual([]);
    // Nothing arrived that the saga no longer expected, but for two cases: the two instances
    // consume a choreography's events side by side, so a step's own success may be consumed
    // after the next step's event, which already proved it (`inferredFrom`), or, in a
    // parallel group, after its own undo (the step undid on a sibling's failure). Ignored
    // then, and never applied. Anything else is shown whole, with its saga's story.
    expect(
      await system.sql(
        'orchestrator',
        `SELECT a.saga_id, a.type, a.step, a.detail,
                (SELECT string_agg(concat_ws(':', s.type, s.step), ' ' ORDER BY s.id, s.line)
                   FROM saga_audit_log s WHERE s.saga_id = a.saga_id) AS story
           FROM saga_audit_log a
          WHERE a.type LIKE '%IGNORED'
            AND NOT (a.type = 'EVENT_IGNORED'
                     AND EXISTS (SELECT 1 FROM saga_audit_log c
                                  WHERE c.saga_id = a.saga_id AND (c.id, c.line) < (a.id, a.line)
                                    AND c.step = a.step
                                    AND ((c.type = 'STEP_COMPLETED' AND c.detail ? 'inferredFrom')
                                         OR c.type = 'STEP_COMPENSATED'))
                     AND NOT EXISTS (SELECT 1 FROM saga_audit_log r
                                      WHERE r.saga_id = a.saga_id AND r.type = 'EVENT_RECEIVED'
                                        AND r.detail->>'event' = a.detail->>'event'))`,
      ),
    ).toEqual([]);
    // Each deadline fired once: one timeout per timed-out booking, none anywhere else.
    const timedOut = bookings.filter(({ plan }) =>
      (Object.values(plan.faults) as string[]).includes('timeout'),
    );
    expect(await auditCount(`type = 'STEP_TIMED_OUT'`)).toBe(timedOut.length);

    // Each transition wrote its commands once: one outbox row per (saga, step, phase, attempt).
    expect(
      await system.sql(
        'orchestrator',
        `SELECT body->>'sagaId' AS saga, type, body->>'step' AS step, body->>'phase' AS phase,
                body->>'attempt' AS attempt, count(*)::int AS n
           FROM saga_outbox WHERE body ? 'replyTo'
          GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1`,
      ),
    ).toEqual([]);
    // Each command was handled once, however often it arrived: one reply per command.
    const names: AppName[] = ['flight', 'hotel', 'payment'];
    for (const name of names) {
      const twice = await system.sql(
        name,
        `SELECT body->>'inReplyTo' AS command, count(*)::int AS n
           FROM saga_outbox WHERE body ? 'inReplyTo'
          GROUP BY 1 HAVING count(*) > 1`,
      );
      expect({ name, twice }).toEqual({ name, twice: [] });
    }

    // Nothing lost: every outbox row sent and handled by a consumer (once the last events,
    // which follow a saga's end in choreography, have been delivered). A message may arrive
    // more than once (at least once: a redelivery, a copy published again after a confirm that
    // came late), so deliveries are at least the inbox rows, not equal to them.
    const apps: AppName[] = ['orchestrator', ...names];
    const transports = [...orchestrators, ...names.map((n) => system.apps.get(n))].map(transportOf);
    await eventually(async () => {
      expect(await unsentRows()).toBe(0);
      const inboxes = new Set((await Promise.all(apps.map(inboxIds))).flat());
      const unhandled = (await Promise.all(apps.map(sentIds)))
        .flat()
        .filter((id) => !inboxes.has(id));
      expect(unhandled).toEqual([]);
      const [first, other, ...participants] = transports.map((t) => t.stats());
      expect(first.published + other.published).toBeGreaterThanOrEqual(
        await sentRows('orchestrator'),
      );
      expect(first.consumed + other.consumed).toBeGreaterThanOrEqual(
        await inboxRows('orchestrator'),
      );
      for (const [i, name] of names.entries()) {
        expect(participants[i].published).toBeGreaterThanOrEqual(await sentRows(name));
        expect(participants[i].consumed).toBeGreaterThanOrEqual(await inboxRows(name));
      }
      expect(first.consumed).toBeGreaterThan(0);
      expect(other.consumed).toBeGreaterThan(0);
    });
    for (const stats of transports.map((t) => t.stats())) {
      expect(stats).toMatchObject({ requeued: 0, deadLettered: 0 });
    }
    const [{ deadlocks }] = await system.sql<{ deadlocks: number }>(
      'orchestrator',
      `SELECT deadlocks::int FROM pg_stat_database WHERE datname = current_database()`,
    );
    expect(deadlocks).toBe(0);
  });

  async function settled(app: INestApplication, id: string): Promise<BookingView> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const response = await request(app.getHttpServer()).get(`/bookings/${id}?wait=10`);
      const booking = response.body as BookingView;
      if (booking.status !== 'PENDING' || Date.now() > deadline) return booking;
    }
  }

  async function auditCount(where: string): Promise<number> {
    const [row] = await system.sql<{ n: number }>(
      'orchestrator',
      `SELECT count(*)::int AS n FROM saga_audit_log WHERE ${where}`,
    );
    return row.n;
  }

  async function sentRows(app: AppName): Promise<number> {
    const [row] = await system.sql<{ n: number }>(
      app,
      `SELECT count(*)::int AS n FROM saga_outbox WHERE sent_at IS NOT NULL`,
    );
    return row.n;
  }

  async function unsentRows(): Promise<number> {
    const apps: AppName[] = ['orchestrator', 'flight', 'hotel', 'payment'];
    const counts = await Promise.all(
      apps.map((app) =>
        system.sql<{ n: number }>(
          app,
          `SELECT count(*)::int AS n FROM saga_outbox WHERE sent_at IS NULL`,
        ),
      ),
    );
    return counts.reduce((sum, [row]) => sum + row.n, 0);
  }

  async function sentIds(app: AppName): Promise<string[]> {
    const rows = await system.sql<{ id: string }>(
      app,
      `SELECT message_id::text AS id FROM saga_outbox WHERE sent_at IS NOT NULL`,
    );
    return rows.map((row) => row.id);
  }

  async function inboxIds(app: AppName): Promise<string[]> {
    const rows = await system.sql<{ id: string }>(
      app,
      `SELECT message_id::text AS id FROM saga_inbox`,
    );
    return rows.map((row) => row.id);
  }

  async function inboxRows(app: AppName): Promise<number> {
    const [row] = await system.sql<{ n: number }>(app, `SELECT count(*)::int AS n FROM saga_inbox`);
    return row.n;
  }

  function transportOf(app: INestApplication | undefined): RabbitMqTransport {
    const transport = app?.get(MessageTransport);
    if (!(transport instanceof RabbitMqTransport)) throw new Error('not a RabbitMqTransport');
    return transport;
  }
});
