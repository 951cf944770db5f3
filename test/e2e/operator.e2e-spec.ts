import { TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';

const KEY = 'operator-key-for-tests';
const trip = (mode: string, faults: Record<string, string> = {}) => ({
  mode,
  customerId: 'cust-3',
  flight: { flightId: 'FL-200', seats: 1 },
  hotel: { hotelId: 'HT-300', nights: 1, rooms: 1 },
  faults,
});
// The body's operator is not trusted: the audit names the holder of the key (alice's here).
const by = { operator: 'mallory', reason: 'the customer called to cancel' };
const recorded = { operator: 'alice', reason: by.reason };
const BOB_KEY = 'bob-operator-key-for-tests';

describe('operator actions', () => {
  let system: TripSystem;

  beforeAll(async () => {
    // Long step timeouts: a booking stays on its silent step until the operator acts.
    system = await TripSystem.start({
      env: { STEP_TIMEOUT_MS: '30000', OPERATOR_API_KEYS: `alice:${KEY},bob:${BOB_KEY}` },
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const post = (path: string, body: object, key: string | null = KEY) => {
    const request = system.http('orchestrator').post(path);
    return (key ? request.set('X-API-Key', key) : request).send(body);
  };

  it('answers 401 without the operator key or with a wrong one, and changes nothing', async () => {
    const bookingId = await system.book(trip('orchestrated'));
    await post(`/bookings/${bookingId}/cancel`, by, null).expect(401);
    await post(`/bookings/${bookingId}/cancel`, by, 'wrong-key-of-some-length').expect(401);
    await system.http('orchestrator').get('/operator/attention').expect(401);
    expect((await system.settled(bookingId)).status).toBe('CONFIRMED');
  });

  it.each(['orchestrated', 'choreographed'])(
    'cancels a %s booking stuck on a silent step, undoing what it did, and records who and why',
    async (mode) => {
      const bookingId = await system.book(trip(mode, { hotel: 'timeout' }));
      // The hotel reserves but never answers: wait until it has done so, and until the flight
      // (booked beside it) is recorded done, so that the hotel is the step the cancel stops.
      await waitForHotel(bookingId);
      await waitForFlightRecorded(bookingId);
      const response = await post(`/bookings/${bookingId}/cancel`, by).expect(202);
      expect(response.body).toMatchObject({ bookingId, status: 'PENDING' });
      const booking = await system.settled(bookingId);
      expect(booking.status).toBe('CANCELLED');
      expect(booking.steps.map((s) => s.status)).toEqual(['COMPENSATED', 'COMPENSATED', 'SKIPPED']);
      expect(await system.participantState('hotel', bookingId)).toMatchObject({
        status: 'CANCELLED',
      });
      expect(await system.participantState('flight', bookingId)).toMatchObject({
        status: 'CANCELLED',
      });
      const audit = await system.audit(bookingId);
      expect(audit).toContainEqual(
        expect.objectContaining({ type: 'OPERATOR_CANCELLED', step: 'hotel', detail: recorded }),
      );
      await post(`/bookings/${bookingId}/cancel`, by).expect(409);
      await assertTripInvariants(system);
    },
  );

  it('lists a COMPENSATION_FAILED booking as needing attention, and retries its compensation on request', async () => {
    const bookingId = await system.book(
      trip('orchestrated', { flight: 'fail-compensation', hotel: 'fail' }),
    );
    expect((await system.settled(bookingId, 30_000)).status).toBe('COMPENSATION_FAILED');
    const attention = (
      await system.http('orchestrator').get('/operator/attention').set('X-API-Key', KEY).expect(200)
    ).body as { bookingId: string }[];
    expect(attention.map((b) => b.bookingId)).toContain(bookingId);

    // The booking's own fault still breaks the cancellation: the retry runs, and fails again.
    await post(
      `/bookings/${bookingId}/retry-compensation`,
      { reason: 'try again' },
      BOB_KEY,
    ).expect(202);
    const again = await system.settled(bookingId, 30_000);
    expect(again.status).toBe('COMPENSATION_FAILED');
    const audit = await system.audit(bookingId);
    expect(audit).toContainEqual(
      expect.objectContaining({
        type: 'OPERATOR_RETRIED_COMPENSATION',
        detail: { operator: 'bob', reason: 'try again' },
      }),
    );
    const types = audit.map((a) => a.type);
    expect(types.filter((t) => t === 'OPERATOR_RETRIED_COMPENSATION')).toHaveLength(1);
    expect(types.filter((t) => t === 'SAGA_COMPENSATION_FAILED')).toHaveLength(2);
  });

  it('answers 409 to a retry for a booking whose compensations did not fail, 404 for an unknown one, 400 without a reason', async () => {
    const bookingId = await system.book(trip('orchestrated'));
    expect((await system.settled(bookingId)).status).toBe('CONFIRMED');
    await post(`/bookings/${bookingId}/retry-compensation`, by).expect(409);
    await post('/bookings/6f1c1d7e-0000-4000-8000-000000000000/cancel', by).expect(404);
    await post(`/bookings/${bookingId}/cancel`, { operator: 'alice' }).expect(400);
  });

  async function waitForHotel(bookingId: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (await system.participantState('hotel', bookingId)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the hotel never reserved');
  }

  async function waitForFlightRecorded(bookingId: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const { body } = await system.http('orchestrator').get(`/bookings/${bookingId}`);
      const steps = (body as { steps?: { name: string; status: string }[] }).steps ?? [];
      if (steps.find((s) => s.name === 'flight')?.status === 'COMPLETED') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the flight was never recorded done');
  }
});

describe('fault injection in production', () => {
  let system: TripSystem;

  afterEach(async () => {
    await system?.stop();
  });

  const READ_KEY = 'read-key-for-production-tests';
  const book = (body: object) =>
    system.http('orchestrator').post('/bookings').set('X-API-Key', READ_KEY).send(body);

  it('refuses a booking that asks for faults with a 400 saying so, and stores nothing', async () => {
    system = await TripSystem.start({
      apps: ['orchestrator'],
      env: { NODE_ENV: 'production', READ_API_KEY: READ_KEY },
    });
    const response = await book(trip('orchestrated', { payment: 'fail' })).expect(400);
    expect(response.body.message).toEqual([expect.stringMatching(/fault injection is disabled/)]);
    await book(trip('orchestrated')).expect(202);
    const [row] = await system.sql<{ n: string }>(
      'orchestrator',
      'SELECT count(*) AS n FROM saga_instances',
    );
    expect(Number(row.n)).toBe(1);
  });

  it('accepts faults in production when FAULTS_ENABLED=true', async () => {
    system = await TripSystem.start({
      apps: ['orchestrator'],
      env: { NODE_ENV: 'production', FAULTS_ENABLED: 'true', READ_API_KEY: READ_KEY },
    });
    await book(trip('orchestrated', { payment: 'fail' })).expect(202);
  });
});
