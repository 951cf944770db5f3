import { AuditLine, TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';

/** Steps short enough to keep timeouts quick, long enough for a loaded 2-core machine. */
const STEP_TIMEOUT_MS = 1_500;

type Mode = 'orchestrated' | 'choreographed';

const booking =
  (mode: Mode) =>
  (overrides: Record<string, unknown> = {}) => ({
    mode,
    customerId: 'cust-1',
    flight: { flightId: 'FL-100', seats: 2 },
    hotel: { hotelId: 'HT-200', nights: 3, rooms: 1 },
    ...overrides,
  });

/** What the audit log of a confirmed booking reads, in each style. */
/** Orchestrated, flight and hotel run in parallel: their replies come in either order. */
const reservedInParallel = (first: string, second: string) => [
  'SAGA_STARTED',
  'COMMAND_SENT:flight',
  'COMMAND_SENT:hotel',
  `REPLY_RECEIVED:${first}`,
  `STEP_COMPLETED:${first}`,
  `REPLY_RECEIVED:${second}`,
  `STEP_COMPLETED:${second}`,
  'COMMAND_SENT:payment',
  'REPLY_RECEIVED:payment',
  'STEP_COMPLETED:payment',
  'SAGA_CONFIRMED',
];

/** Choreographed, flight and hotel both work on the booking request: either may report first. */
function heardInParallel(first: string, second: string): string[] {
  return [
    'SAGA_STARTED',
    'EVENT_PUBLISHED',
    `EVENT_RECEIVED:${first}`,
    `STEP_COMPLETED:${first}`,
    `EVENT_RECEIVED:${second}`,
    `STEP_COMPLETED:${second}`,
    'EVENT_RECEIVED:payment',
    'STEP_COMPLETED:payment',
    'SAGA_CONFIRMED',
  ];
}

/** The stories a confirmed booking's audit may tell, by mode. */
const HAPPY_STORIES: Record<Mode, string[][]> = {
  orchestrated: [reservedInParallel('flight', 'hotel'), reservedInParallel('hotel', 'flight')],
  choreographed: [heardInParallel('flight', 'hotel'), heardInParallel('hotel', 'flight')],
};

/** The audit log reduced to what a reader scans for: `TYPE:step`. */
const story = (audit: AuditLine[]) => audit.map((a) => (a.step ? `${a.type}:${a.step}` : a.type));

/** The same scenarios in both styles, asserting the same final states. */
describe.each<Mode>(['orchestrated', 'choreographed'])(
  '%s trip booking (PostgreSQL + RabbitMQ)',
  (mode) => {
    const trip = booking(mode);
    let system: TripSystem;

    beforeAll(async () => {
      system = await TripSystem.start({ env: { STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS) } });
    });

    afterAll(async () => {
      await system?.stop();
    });

    afterEach(async () => {
      await assertTripInvariants(system);
    });

    it('confirms a booking: a flight reservation, a hotel reservation and a charge of what they cost', async () => {
      const [flight] = (
        (await system.http('flight').get('/flights').expect(200)).body as {
          flightId: string;
          price: number;
        }[]
      ).filter((f) => f.flightId === 'FL-100');
      const [hotel] = (
        (await system.http('hotel').get('/hotels').expect(200)).body as {
          hotelId: string;
          pricePerNight: number;
        }[]
      ).filter((h) => h.hotelId === 'HT-200');
      const response = await system.http('orchestrator').post('/bookings').send(trip()).expect(202);
      const { bookingId } = response.body as { bookingId: string };
      expect(response.body).toEqual({ bookingId, mode, status: 'PENDING' });
      expect(response.headers.location).toBe(`/bookings/${bookingId}`);

      const booking = await system.settled(bookingId);
      expect(booking.status).toBe('CONFIRMED');
      expect(booking.steps.map((s) => [s.name, s.status])).toEqual([
        ['flight', 'COMPLETED'],
        ['hotel', 'COMPLETED'],
        ['payment', 'COMPLETED'],
      ]);
      expect(await system.participantState('flight', bookingId)).toMatchObject({
        flightId: 'FL-100',
        seats: 2,
        status: 'RESERVED',
      });
      expect(await system.participantState('hotel', bookingId)).toMatchObject({
        hotelId: 'HT-200',
        rooms: 1,
        nights: 3,
        status: 'RESERVED',
      });
      expect(await system.participantState('payment', bookingId)).toMatchObject({
        customerId: 'cust-1',
        amount: 2 * flight.price + 3 * 1 * hotel.pricePerNight,
        status: 'CHARGED',
      });
      expect(HAPPY_STORIES[mode]).toContainEqual(story(await system.audit(bookingId)));
    });

    it.each([
      // The hotel runs beside the refused flight: it is undone.
      {
        step: 'flight',
        undone: ['hotel'],
        steps: { flight: 'FAILED', hotel: 'COMPENSATED', payment: 'SKIPPED' },
      },
      {
        step: 'hotel',
        undone: ['flight'],
        steps: { flight: 'COMPENSATED', hotel: 'FAILED', payment: 'SKIPPED' },
      },
      {
        step: 'payment',
        undone: ['hotel', 'flight'],
        steps: { flight: 'COMPENSATED', hotel: 'COMPENSATED', payment: 'FAILED' },
      },
    ])(
      'cancels when $step refuses, undoing $undone in reverse order',
      async ({ step, undone, steps }) => {
        const bookingId = await system.book(trip({ faults: { [step]: 'fail' } }));
        const booking = await system.settled(bookingId);
        expect(booking.status).toBe('CANCELLED');
        expect(booking.failureReason).toMatch(new RegExp(`^${step}: `));
        expect(Object.fromEntries(booking.steps.map((s) => [s.name, s.status]))).toEqual(steps);

        const compensations = (await system.audit(bookingId))
          .filter((a) => a.type === 'STEP_COMPENSATED')
          .map((a) => a.step);
        // Orchestrated, one undo at a time in reverse order; choreographed, the steps of a
        // group undo at once, in any order.
        expect(mode === 'orchestrated' ? compensations : [...compensations].sort()).toEqual(
          mode === 'orchestrated' ? undone : [...undone].sort(),
        );
        // The refusing participant holds nothing; the others hold a cancelled reservation, or,
        // choreographed, none when the undo overtook the work beside the refusal (a tombstone).
        expect(await system.participantState(step as 'flight', bookingId)).toBeNull();
        for (const name of undone) {
          const state = await system.participantState(name as 'flight', bookingId);
          const beside = mode === 'choreographed' && step !== 'payment';
          expect(beside ? [null, 'CANCELLED'] : ['CANCELLED']).toContain(state?.status ?? null);
        }
      },
    );

    it('cancels the hotel, then the flight, when the hotel answers too late, undoing the hotel it reserved', async () => {
      const bookingId = await system.book(trip({ faults: { hotel: 'timeout' } }));
      const booking = await system.settled(bookingId);
      expect(booking.status).toBe('CANCELLED');
      expect(booking.steps.map((s) => s.status)).toEqual(['COMPENSATED', 'COMPENSATED', 'SKIPPED']);
      // The hotel did the work (a real reservation, not a tombstone), then undid it.
      expect(await system.participantState('hotel', bookingId)).toMatchObject({
        hotelId: 'HT-200',
        rooms: 1,
        nights: 3,
        status: 'CANCELLED',
      });
      expect(await system.participantState('flight', bookingId)).toMatchObject({
        status: 'CANCELLED',
      });
      const lines = story(await system.audit(bookingId));
      expect(lines.indexOf('STEP_TIMED_OUT:hotel')).toBeGreaterThan(0);
      // Choreographed, flight and hotel are one group: they undo at once, in any order.
      if (mode === 'orchestrated') {
        expect(lines.indexOf('STEP_COMPENSATED:hotel')).toBeLessThan(
          lines.indexOf('STEP_COMPENSATED:flight'),
        );
      }
    });

    it('refunds a charge whose answer never came, then cancels the hotel and the flight', async () => {
      const before = await balanceOf('cust-1');
      const bookingId = await system.book(trip({ faults: { payment: 'timeout' } }));
      const booking = await system.settled(bookingId);
      expect(booking.status).toBe('CANCELLED');
      expect(booking.steps.map((s) => s.status)).toEqual([
        'COMPENSATED',
        'COMPENSATED',
        'COMPENSATED',
      ]);
      expect(await system.participantState('payment', bookingId)).toMatchObject({
        status: 'REFUNDED',
      });
      expect(await balanceOf('cust-1')).toBe(before);
      expect(story(await system.audit(bookingId))).toEqual(
        expect.arrayContaining([
          'STEP_TIMED_OUT:payment',
          'STEP_COMPENSATED:payment',
          'SAGA_CANCELLED',
        ]),
      );
    });

    it('ends COMPENSATION_FAILED when a compensation keeps failing, after retrying it', async () => {
      const bookingId = await system.book(
        trip({ faults: { flight: 'fail-compensation', hotel: 'fail' } }),
      );
      const booking = await system.settled(bookingId, 30_000);
      expect(booking.status).toBe('COMPENSATION_FAILED');
      expect(booking.steps.map((s) => s.status)).toEqual([
        'COMPENSATION_FAILED',
        'FAILED',
        'SKIPPED',
      ]);
      const lines = story(await system.audit(bookingId));
      expect(lines.at(-1)).toBe('SAGA_COMPENSATION_FAILED');
      if (mode === 'orchestrated') {
        // The orchestrator retried the cancellation itself, with backoff, 5 times in all.
        expect(booking.steps[0]).toMatchObject({ compensationAttempts: 5 });
        expect(lines.filter((l) => l === 'COMPENSATION_ATTEMPT_FAILED:flight')).toHaveLength(5);
      } else {
        // The flight service retried it through broker redeliveries, then said it failed.
        expect(lines).toContain('STEP_COMPENSATION_FAILED:flight');
      }
      // What could not be undone is still there, for an operator to see.
      expect(await system.participantState('flight', bookingId)).toMatchObject({
        status: 'RESERVED',
      });
    });

    it('cancels the flight when the hotel is sold out', async () => {
      const bookingId = await system.book(
        trip({ hotel: { hotelId: 'HT-400', nights: 1, rooms: 5 } }),
      );
      const booking = await system.settled(bookingId);
      expect(booking).toMatchObject({
        status: 'CANCELLED',
        failureReason: expect.stringMatching(/^hotel: /),
      });
      expect(await system.participantState('flight', bookingId)).toMatchObject({
        status: 'CANCELLED',
      });
      expect(await system.participantState('hotel', bookingId)).toBeNull();
    });

    it('cancels the hotel and the flight when the customer cannot pay', async () => {
      const bookingId = await system.book(trip({ customerId: 'cust-poor' }));
      const booking = await system.settled(bookingId);
      expect(booking).toMatchObject({
        status: 'CANCELLED',
        failureReason: expect.stringMatching(/^payment: /),
      });
      const compensations = (await system.audit(bookingId))
        .filter((a) => a.type === 'STEP_COMPENSATED')
        .map((a) => a.step);
      // Orchestrated, hotel then flight; choreographed, the two undo at once, in any order.
      if (mode === 'orchestrated') expect(compensations).toEqual(['hotel', 'flight']);
      else expect([...compensations].sort()).toEqual(['flight', 'hotel']);
      expect(await system.participantState('payment', bookingId)).toBeNull();
    });

    it('refuses a flight that is sold out, and compensates nothing', async () => {
      const bookingId = await system.book(trip({ flight: { flightId: 'FL-300', seats: 50 } }));
      const booking = await system.settled(bookingId);
      expect(booking).toMatchObject({
        status: 'CANCELLED',
        failureReason: expect.stringMatching(/^flight: /),
      });
      expect(await system.participantState('flight', bookingId)).toBeNull();
    });

    async function balanceOf(customerId: string): Promise<number> {
      const accounts = (await system.http('payment').get('/accounts').expect(200)).body as {
        customerId: string;
        balance: number;
      }[];
      return accounts.find((a) => a.customerId === customerId)?.balance ?? NaN;
    }
  },
);
