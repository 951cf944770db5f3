import { TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';
import { eventually, waitFor } from '../support/wait-for';

/**
 * A linger long enough that the second reply of the flight and the hotel, which run at once,
 * always comes within it on a loaded machine: each booking below must write them together.
 */
const LINGER_MS = 1_000;

const trip = (mode: string, overrides: Record<string, unknown> = {}) => ({
  mode,
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 2 },
  hotel: { hotelId: 'HT-200', nights: 3, rooms: 1 },
  ...overrides,
});

describe('a saga decision that sends nothing waits for the next message (PostgreSQL + RabbitMQ)', () => {
  let system: TripSystem;

  beforeAll(async () => {
    system = await TripSystem.start({
      env: { SAGA_LINGER_MS: String(LINGER_MS), STEP_TIMEOUT_MS: '10000' },
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  afterEach(async () => {
    await assertTripInvariants(system);
  });

  /** `saga_messages_written_together_total` of the orchestrator, from its /metrics. */
  const writtenTogether = async (): Promise<number> => {
    const text = (await system.http('orchestrator').get('/metrics').expect(200)).text;
    const line = /^saga_messages_written_together_total\{service="orchestrator"\} (\d+)$/m;
    return Number(line.exec(text)?.[1] ?? 0);
  };

  /** The orchestrator's inbox rows, in all (a message is claimed once there). */
  const claimed = async (): Promise<number> => {
    const [row] = await system.sql<{ n: number }>(
      'orchestrator',
      'SELECT count(*)::int AS n FROM saga_inbox',
    );
    return row.n;
  };

  it('writes the flight and hotel replies in one transition, claiming both, and confirms', async () => {
    const [together, inbox] = [await writtenTogether(), await claimed()];

    const bookingId = await system.book(trip('orchestrated'));
    const booking = await system.settled(bookingId);

    expect(booking.status).toBe('CONFIRMED');
    expect(await writtenTogether()).toBe(together + 1);
    // Three replies, each claimed: the two written together as well.
    expect(await claimed()).toBe(inbox + 3);
    const story = (await system.audit(bookingId)).map((a) => `${a.type}:${a.step ?? ''}`);
    expect(story.filter((s) => s.startsWith('REPLY_RECEIVED'))).toHaveLength(3);
    expect(story.slice(-4)).toEqual([
      'COMMAND_SENT:payment',
      'REPLY_RECEIVED:payment',
      'STEP_COMPLETED:payment',
      'SAGA_CONFIRMED:',
    ]);
  });

  it('undoes the flight when the hotel refuses while the other reply lingers', async () => {
    const together = await writtenTogether();

    const bookingId = await system.book(trip('orchestrated', { faults: { hotel: 'fail' } }));
    const booking = await system.settled(bookingId);

    expect(booking.status).toBe('CANCELLED');
    expect(booking.steps.map((s) => [s.name, s.status])).toEqual([
      ['flight', 'COMPENSATED'],
      ['hotel', 'FAILED'],
      ['payment', 'SKIPPED'],
    ]);
    expect(await writtenTogether()).toBeGreaterThan(together);
  });

  it("writes a choreography's events together as its tracker follows them, and confirms", async () => {
    const together = await writtenTogether();

    const bookingId = await system.book(trip('choreographed'));

    expect((await system.settled(bookingId)).status).toBe('CONFIRMED');
    // Here the write of the events held together is the one that ends the saga: its commit
    // answers the wait (by the database's notification, or the wait's own read) before the
    // orchestrator has counted it, so the count is waited for.
    await eventually(async () => expect(await writtenTogether()).toBeGreaterThan(together), 5_000);
  });

  it('loses nothing when the orchestrator stops while a reply lingers', async () => {
    await system.stopApp('hotel');
    const bookingId = await system.book(trip('orchestrated'));
    // The flight has replied, and the broker has its reply: the orchestrator holds it.
    await waitFor(
      async () => {
        const rows = await system.sql<{ n: number }>(
          'flight',
          `SELECT count(*)::int AS n FROM saga_outbox
            WHERE type = 'flight.reserve.reply' AND sent_at IS NOT NULL AND body::text LIKE $1`,
          [`%${bookingId}%`],
        );
        return rows[0].n === 1 ? true : undefined;
      },
      { what: "the flight's reply confirmed by the broker" },
    );

    await system.stopApp('orchestrator');
    await system.startApp('hotel');
    await system.startApp('orchestrator');

    const booking = await system.settled(bookingId);
    expect(booking.status).toBe('CONFIRMED');
    // The held reply itself was decided: the flight was never asked again.
    expect(booking.steps.find((s) => s.name === 'flight')?.attempts).toBe(1);
    const replies = (await system.audit(bookingId)).filter((a) => a.type === 'REPLY_RECEIVED');
    expect(replies.map((r) => r.step).sort()).toEqual(['flight', 'hotel', 'payment']);
  });
});
