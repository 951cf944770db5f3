import { AuditLine, TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';

/** Steps short enough to keep timeouts quick, long enough for a loaded 2-core machine. */
const STEP_TIMEOUT_MS = 1_500;

type Mode = 'orchestrated' | 'choreographed';
type Step = 'flight' | 'hotel' | 'car' | 'payment';

const CAR = { carClass: 'COMPACT', days: 4 };

const withCar =
  (mode: Mode) =>
  (overrides: Record<string, unknown> = {}) => ({
    mode,
    customerId: 'cust-1',
    flight: { flightId: 'FL-100', seats: 1 },
    hotel: { hotelId: 'HT-200', nights: 2, rooms: 1 },
    car: CAR,
    ...overrides,
  });

/** The audit log reduced to what a reader scans for: `TYPE:step`. */
const story = (audit: AuditLine[]) => audit.map((a) => (a.step ? `${a.type}:${a.step}` : a.type));
const statuses = (steps: { name: string; status: string }[]) =>
  Object.fromEntries(steps.map((s) => [s.name, s.status]));

/** The car rental as the optional fourth step, after the hotel and before the payment. */
describe.each<Mode>(['orchestrated', 'choreographed'])(
  '%s trip booking with a car (PostgreSQL + RabbitMQ)',
  (mode) => {
    const trip = withCar(mode);
    let system: TripSystem;

    const priceOf = async () => {
      const get = async <T>(app: 'flight' | 'hotel' | 'car', path: string) =>
        (await system.http(app).get(path).expect(200)).body as T[];
      const [flight] = (
        await get<{ flightId: string; price: number }>('flight', '/flights')
      ).filter((f) => f.flightId === 'FL-100');
      const [hotel] = (
        await get<{ hotelId: string; pricePerNight: number }>('hotel', '/hotels')
      ).filter((h) => h.hotelId === 'HT-200');
      const [car] = (await get<{ carClass: string; pricePerDay: number }>('car', '/cars')).filter(
        (c) => c.carClass === CAR.carClass,
      );
      return {
        flight: flight.price,
        hotel: 2 * hotel.pricePerNight,
        car: CAR.days * car.pricePerDay,
      };
    };

    const carsAvailable = async () => {
      const cars = (await system.http('car').get('/cars').expect(200)).body as {
        carClass: string;
        carsAvailable: number;
      }[];
      return cars.find((c) => c.carClass === CAR.carClass)?.carsAvailable;
    };

    beforeAll(async () => {
      system = await TripSystem.start({ env: { STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS) } });
    });

    afterAll(async () => {
      await system?.stop();
    });

    afterEach(async () => {
      await assertTripInvariants(system);
    });

    it('rents the car beside the flight and the hotel, and charges the three together', async () => {
      const prices = await priceOf();
      const before = await carsAvailable();
      const bookingId = await system.book(trip());
      const booking = await system.settled(bookingId);
      expect(booking.status).toBe('CONFIRMED');
      expect(booking.steps.map((s) => [s.name, s.status])).toEqual([
        ['flight', 'COMPLETED'],
        ['hotel', 'COMPLETED'],
        ['car', 'COMPLETED'],
        ['payment', 'COMPLETED'],
      ]);
      expect(await system.participantState('car', bookingId)).toEqual({
        bookingId,
        carClass: CAR.carClass,
        days: CAR.days,
        status: 'RESERVED',
      });
      expect(await carsAvailable()).toBe((before as number) - 1);
      expect(await system.participantState('payment', bookingId)).toMatchObject({
        amount: prices.flight + prices.hotel + prices.car,
        status: 'CHARGED',
      });
      const lines = story(await system.audit(bookingId));
      const completed = lines.filter((l) => l.startsWith('STEP_COMPLETED:'));
      const reservations = ['STEP_COMPLETED:flight', 'STEP_COMPLETED:hotel', 'STEP_COMPLETED:car'];
      // In both modes the three run in parallel and complete in any order; the payment is last.
      expect([...completed.slice(0, 3)].sort()).toEqual(reservations.sort());
      expect(completed.slice(3)).toEqual(['STEP_COMPLETED:payment']);
    });

    it('runs a booking without a car exactly as before: three steps, no rental', async () => {
      const prices = await priceOf();
      const withoutCar: Record<string, unknown> = trip();
      delete withoutCar.car;
      const bookingId = await system.book(withoutCar);
      const booking = await system.settled(bookingId);
      expect(booking.status).toBe('CONFIRMED');
      expect(booking.steps.map((s) => [s.name, s.status])).toEqual([
        ['flight', 'COMPLETED'],
        ['hotel', 'COMPLETED'],
        ['payment', 'COMPLETED'],
      ]);
      expect(await system.participantState('car', bookingId)).toBeNull();
      expect(await system.participantState('payment', bookingId)).toMatchObject({
        amount: prices.flight + prices.hotel,
      });
      expect(story(await system.audit(bookingId)).some((l) => l.endsWith(':car'))).toBe(false);
    });

    // The three reservations run in parallel, in both modes: a refusal undoes the other two.
    const refusedReservations: { step: Step; undone: Step[]; steps: Record<Step, string> }[] = [
      {
        step: 'flight',
        undone: ['car', 'hotel'],
        steps: { flight: 'FAILED', hotel: 'COMPENSATED', car: 'COMPENSATED', payment: 'SKIPPED' },
      },
      {
        step: 'hotel',
        undone: ['car', 'flight'],
        steps: { flight: 'COMPENSATED', hotel: 'FAILED', car: 'COMPENSATED', payment: 'SKIPPED' },
      },
      {
        step: 'car',
        undone: ['hotel', 'flight'],
        steps: { flight: 'COMPENSATED', hotel: 'COMPENSATED', car: 'FAILED', payment: 'SKIPPED' },
      },
    ];

    it.each<{ step: Step; undone: Step[]; steps: Record<Step, string> }>([
      ...refusedReservations,
      {
        step: 'payment',
        undone: ['car', 'hotel', 'flight'],
        steps: {
          flight: 'COMPENSATED',
          hotel: 'COMPENSATED',
          car: 'COMPENSATED',
          payment: 'FAILED',
        },
      },
    ])('cancels when $step refuses, undoing $undone in reverse order', async (c) => {
      const before = await carsAvailable();
      const bookingId = await system.book(trip({ faults: { [c.step]: 'fail' } }));
      const booking = await system.settled(bookingId);
      expect(booking.status).toBe('CANCELLED');
      expect(booking.failureReason).toMatch(new RegExp(`^${c.step}: `));
      expect(statuses(booking.steps)).toEqual(c.steps);
      const compensations = (await system.audit(bookingId))
        .filter((a) => a.type === 'STEP_COMPENSATED')
        .map((a) => a.step);
      // Orchestrated, one undo at a time in reverse order; choreographed, the steps of a group
      // undo at once, in any order.
      const inOrder = (steps: (string | null)[]) =>
        mode === 'orchestrated' ? steps : [...steps].sort();
      expect(inOrder(compensations)).toEqual(inOrder(c.undone));
      expect(await system.participantState(c.step, bookingId)).toBeNull();
      for (const name of c.undone) {
        const state = await system.participantState(name, bookingId);
        // Choreographed, an undo that overtook the work beside the refusal leaves a tombstone,
        // which is no reservation.
        const beside = mode === 'choreographed' && c.step !== 'payment';
        const held = name === 'payment' ? 'REFUNDED' : 'CANCELLED';
        expect(beside ? [null, held] : [held]).toContain(state?.status ?? null);
      }
      expect(await carsAvailable()).toBe(before);
    });

    it('cancels a rental whose answer never came, then the hotel and the flight', async () => {
      const before = await carsAvailable();
      const bookingId = await system.book(trip({ faults: { car: 'timeout' } }));
      const booking = await system.settled(bookingId);
      expect(booking.status).toBe('CANCELLED');
      expect(statuses(booking.steps)).toEqual({
        flight: 'COMPENSATED',
        hotel: 'COMPENSATED',
        car: 'COMPENSATED',
        payment: 'SKIPPED',
      });
      // The car service did the work (a real rental, not a tombstone), then undid it.
      expect(await system.participantState('car', bookingId)).toMatchObject({
        carClass: CAR.carClass,
        status: 'CANCELLED',
      });
      expect(await carsAvailable()).toBe(before);
    });

    it('answers 400 to a bad car part, and stores nothing', async () => {
      const [before] = await system.sql<{ n: number }>(
        'orchestrator',
        'SELECT count(*)::int AS n FROM saga_instances',
      );
      const response = await system
        .http('orchestrator')
        .post('/bookings')
        .send(trip({ car: { carClass: 'COMPACT', days: 0, seats: 2 }, faults: { car: 'crash' } }))
        .expect(400);
      expect((response.body as { message: string[] }).message).toEqual(
        expect.arrayContaining([
          'car.property seats should not exist',
          'car.days must not be less than 1',
          expect.stringMatching(/^faults\.car must be one of the following values/),
        ]),
      );
      const [after] = await system.sql<{ n: number }>(
        'orchestrator',
        'SELECT count(*)::int AS n FROM saga_instances',
      );
      expect(after).toEqual(before);
    });

    it('refuses an unknown car class and cancels the hotel and the flight', async () => {
      const bookingId = await system.book(trip({ car: { carClass: 'SPACESHIP', days: 1 } }));
      const booking = await system.settled(bookingId);
      expect(booking).toMatchObject({
        status: 'CANCELLED',
        failureReason: expect.stringMatching(/^car: /),
      });
      expect(await system.participantState('car', bookingId)).toBeNull();
      expect(await system.participantState('hotel', bookingId)).toMatchObject({
        status: 'CANCELLED',
      });
    });
  },
);
