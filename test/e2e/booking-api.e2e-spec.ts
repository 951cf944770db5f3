import {
  TRIP_BOOKING_CHOREOGRAPHY_VERSION,
  TRIP_BOOKING_SAGA_VERSION,
  tripBookingSaga,
} from '@app/trip-api';
import { TripSystem } from '../support/trip-system';

const valid = {
  mode: 'orchestrated',
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 1 },
  hotel: { hotelId: 'HT-200', nights: 2, rooms: 1 },
};

/** The orchestrator alone: these are checks of its HTTP contract, no participant needed. */
describe('bookings API', () => {
  let system: TripSystem;

  beforeAll(async () => {
    system = await TripSystem.start({ apps: ['orchestrator'] });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const stored = async () => {
    const [row] = await system.sql<{ sagas: string; outbox: string; audit: string }>(
      'orchestrator',
      `SELECT (SELECT count(*) FROM saga_instances) AS sagas, (SELECT count(*) FROM saga_outbox) AS outbox,
              (SELECT count(*) FROM saga_audit_log) AS audit`,
    );
    return row;
  };

  it.each([
    ['an empty body', {}, ['customerId', 'flight', 'hotel']],
    ['a missing customer', { ...valid, customerId: undefined }, ['customerId']],
    [
      'an unknown top-level field',
      { ...valid, coupon: 'FREE' },
      ['property coupon should not exist'],
    ],
    [
      'an unknown nested field',
      { ...valid, flight: { ...valid.flight, class: 'first' } },
      ['flight.property class should not exist'],
    ],
    [
      'a string where a number belongs',
      { ...valid, flight: { flightId: 'FL-100', seats: '2' } },
      ['flight.seats'],
    ],
    ['zero seats', { ...valid, flight: { flightId: 'FL-100', seats: 0 } }, ['flight.seats']],
    ['negative nights', { ...valid, hotel: { ...valid.hotel, nights: -1 } }, ['hotel.nights']],
    ['fractional rooms', { ...valid, hotel: { ...valid.hotel, rooms: 1.5 } }, ['hotel.rooms']],
    ['an unknown mode', { ...valid, mode: 'telepathic' }, ['mode']],
    ['an unknown fault', { ...valid, faults: { payment: 'explode' } }, ['faults.payment']],
    [
      'a fault for an unknown participant',
      { ...valid, faults: { submarine: 'fail' } },
      ['faults.property submarine should not exist'],
    ],
    ['flight as a string', { ...valid, flight: 'FL-100' }, ['flight']],
  ])(
    'answers 400 listing each problem for %s, and stores nothing',
    async (_what, body, problems) => {
      const before = await stored();
      const response = await system.http('orchestrator').post('/bookings').send(body).expect(400);
      const messages = (response.body as { message: string[] }).message;
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      for (const problem of problems) {
        expect(messages.some((m) => m.includes(problem))).toBe(true);
      }
      expect(await stored()).toEqual(before);
    },
  );

  it('answers 400 for a body that is not JSON, and stores nothing', async () => {
    const before = await stored();
    await system
      .http('orchestrator')
      .post('/bookings')
      .set('content-type', 'application/json')
      .send('{"customerId": ')
      .expect(400);
    expect(await stored()).toEqual(before);
  });

  it.each([
    [
      'JSON that is not an object or an array',
      'application/json',
      '"FL-100"',
      400,
      'a JSON body must be an object or an array',
    ],
    // A valid booking, but not sent as JSON: it is not read, so nothing is accepted.
    [
      'a body of another type',
      'text/plain',
      JSON.stringify(valid),
      400,
      'customerId should not be empty',
    ],
    [
      'a body over 100 KiB',
      'application/json',
      JSON.stringify({ ...valid, customerId: 'x'.repeat(110_000) }),
      413,
      'Request body is too large',
    ],
  ])(
    "answers %s with its status and Nest's error body, and stores nothing",
    async (_what, type, body, status, message) => {
      const before = await stored();
      const response = await system
        .http('orchestrator')
        .post('/bookings')
        .set('content-type', type)
        .send(body)
        .expect(status);
      expect(response.body).toMatchObject({ statusCode: status });
      expect(JSON.stringify(response.body)).toContain(message);
      expect(await stored()).toEqual(before);
    },
  );

  it('reads a form body as a JSON one, and validates it the same', async () => {
    const response = await system
      .http('orchestrator')
      .post('/bookings')
      .type('form')
      .send('customerId=cust-1')
      .expect(400);
    const messages = (response.body as { message: string[] }).message;
    expect(messages.some((m) => m.startsWith('flight'))).toBe(true);
    expect(messages.some((m) => m.startsWith('customerId'))).toBe(false);
  });

  it('starts one booking for 20 concurrent identical requests with one Idempotency-Key', async () => {
    const key = `key-${Date.now()}`;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        system.http('orchestrator').post('/bookings').set('Idempotency-Key', key).send(valid),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(202));
    const ids = new Set(responses.map((r) => (r.body as { bookingId: string }).bookingId));
    expect(ids.size).toBe(1);
    const [row] = await system.sql<{ n: string }>(
      'orchestrator',
      `SELECT count(*) AS n FROM saga_instances WHERE start_key = $1`,
      [key],
    );
    expect(Number(row.n)).toBe(1);
    const [bookingId] = [...ids];
    const starts = await system.sql<{ n: string }>(
      'orchestrator',
      `SELECT count(*) AS n FROM saga_audit_log WHERE saga_id = $1 AND type = 'SAGA_STARTED'`,
      [bookingId],
    );
    expect(Number(starts[0].n)).toBe(1);
  });

  it('treats the same body in another field order as the same request', async () => {
    const key = `key-order-${Date.now()}`;
    const first = await system
      .http('orchestrator')
      .post('/bookings')
      .set('Idempotency-Key', key)
      .send(valid)
      .expect(202);
    const reordered = {
      hotel: valid.hotel,
      flight: valid.flight,
      customerId: valid.customerId,
      mode: valid.mode,
    };
    const second = await system
      .http('orchestrator')
      .post('/bookings')
      .set('Idempotency-Key', key)
      .send(reordered)
      .expect(202);
    expect(second.body.bookingId).toBe(first.body.bookingId);
  });

  it('answers 422 when an Idempotency-Key is reused with a different body, and starts nothing', async () => {
    const key = `key-conflict-${Date.now()}`;
    await system
      .http('orchestrator')
      .post('/bookings')
      .set('Idempotency-Key', key)
      .send(valid)
      .expect(202);
    const before = await stored();
    const response = await system
      .http('orchestrator')
      .post('/bookings')
      .set('Idempotency-Key', key)
      .send({ ...valid, customerId: 'cust-2' })
      .expect(422);
    expect(response.body.message).toMatch(/Idempotency-Key/);
    expect(await stored()).toEqual(before);
  });

  it('answers ?wait= with the current state when the booking does not end in time', async () => {
    // No participant runs here: the booking cannot end.
    const bookingId = await system.book(valid);
    const started = Date.now();
    const response = await system
      .http('orchestrator')
      .get(`/bookings/${bookingId}?wait=1`)
      .expect(200);
    expect(response.body).toMatchObject({ bookingId, status: 'PENDING' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await system.http('orchestrator').get(`/bookings/${bookingId}?wait=31`).expect(400);
    await system.http('orchestrator').get(`/bookings/${bookingId}?wait=soon`).expect(400);
  });

  it('answers 404 for an unknown booking and its audit log', async () => {
    await system
      .http('orchestrator')
      .get('/bookings/6f1c1d7e-0000-4000-8000-000000000000')
      .expect(404);
    await system.http('orchestrator').get('/bookings/not-a-uuid').expect(404);
    await system
      .http('orchestrator')
      .get('/bookings/6f1c1d7e-0000-4000-8000-000000000000/audit')
      .expect(404);
  });

  it('lists bookings newest first, filtered by mode and status, up to a limit', async () => {
    const a = await system.book(valid);
    const b = await system.book(valid);
    const list = (
      await system
        .http('orchestrator')
        .get('/bookings?mode=orchestrated&status=PENDING&limit=2')
        .expect(200)
    ).body as { bookingId: string }[];
    expect(list.map((x) => x.bookingId)).toEqual([b, a]);
    await system.http('orchestrator').get('/bookings?status=DONE').expect(400);
    await system.http('orchestrator').get('/bookings?limit=0').expect(400);
    const c = await system.book({ ...valid, mode: 'choreographed' });
    const choreographed = (
      await system.http('orchestrator').get('/bookings?mode=choreographed').expect(200)
    ).body as { bookingId: string; mode: string }[];
    expect(choreographed.map((x) => [x.bookingId, x.mode])).toEqual([[c, 'choreographed']]);
  });

  it('lists the persisted saga definitions, one per coordination style, with their steps', async () => {
    const response = await system.http('orchestrator').get('/saga-definitions').expect(200);
    const definitions = response.body as {
      name: string;
      version: number;
      steps: { name: string }[];
    }[];
    // The latest version of each; older ones stay registered for the sagas started on them.
    expect(definitions.map((d) => [d.name, d.version]).sort()).toEqual([
      ['trip-booking', TRIP_BOOKING_SAGA_VERSION],
      ['trip-booking-choreography', TRIP_BOOKING_CHOREOGRAPHY_VERSION],
    ]);
    // The steps of the trip's definition, as it declares them (flight, hotel, …, payment).
    const stepNames = tripBookingSaga().spec.steps.map((s) => s.name);
    const orchestrated = definitions.find((d) => d.name === 'trip-booking');
    expect(orchestrated?.steps.map((s) => s.name)).toEqual(stepNames);
    expect(orchestrated?.steps[0]).toMatchObject({
      name: 'flight',
      command: { channel: 'flight.commands', type: 'flight.reserve' },
    });
    const choreographed = definitions.find((d) => d.name === 'trip-booking-choreography');
    expect(choreographed).toMatchObject({
      style: 'choreography',
      start: { exchange: 'trip.events', type: 'trip.booking.requested' },
    });
    expect(choreographed?.steps.map((s) => s.name)).toEqual(stepNames);
    expect(choreographed?.steps[0]).toMatchObject({
      name: 'flight',
      succeeded: { exchange: 'trip.events', type: 'trip.flight.reserved' },
      compensationRequested: {
        exchange: 'trip.events',
        type: 'trip.flight.cancellation-requested',
      },
      compensationRetry: expect.objectContaining({ maxAttempts: 5 }),
    });
  });

  it('serves /health, /metrics and the OpenAPI page', async () => {
    const health = await system.http('orchestrator').get('/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok' });
    const metrics = await system.http('orchestrator').get('/metrics').expect(200);
    expect(metrics.text).toContain('process_cpu_user_seconds_total');
    await system.http('orchestrator').get('/docs').expect(200);
    const openapi = await system.http('orchestrator').get('/docs-json').expect(200);
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/bookings', '/bookings/{id}', '/bookings/{id}/audit']),
    );
  });
});
