import { TripSystem } from '../support/trip-system';
import { waitFor } from '../support/wait-for';

const KEY = 'operator-key-for-tests';
const trip = (overrides: Record<string, unknown> = {}) => ({
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 1 },
  hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
  ...overrides,
});

/** Strings no database column may hold: a NUL, and a surrogate without its other half. */
const UNSAFE = [
  ['a NUL character', 'a\u0000b'],
  ['a lone surrogate', 'x\ud800y'],
] as const;

/**
 * Input that answered 500 (a failed query) answers 400 in Nest's usual shape, and changes
 * nothing: one rule for every string from outside (`unsafeTextReason`), bounds on every
 * number, a length limit on `Idempotency-Key`.
 */
describe('bad input', () => {
  let system: TripSystem;

  beforeAll(async () => {
    system = await TripSystem.start({ env: { STEP_TIMEOUT_MS: '30000', OPERATOR_API_KEY: KEY } });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const count = async (table: string): Promise<number> => {
    const [row] = await system.sql<{ n: number }>(
      'orchestrator',
      `SELECT count(*)::int AS n FROM ${table}`,
    );
    return row.n;
  };
  const stored = async () => [await count('saga_instances'), await count('saga_outbox')];

  describe.each(UNSAFE)('a string with %s', (_what, bad) => {
    it.each([
      ['customerId', trip({ customerId: bad })],
      ['flight.flightId', trip({ flight: { flightId: bad, seats: 1 } })],
      ['hotel.hotelId', trip({ hotel: { hotelId: bad, nights: 1, rooms: 1 } })],
    ])('in %s of POST /bookings answers 400 and stores nothing', async (field, body) => {
      const before = await stored();
      const response = await system.http('orchestrator').post('/bookings').send(body).expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      const leaf = field.split('.').pop() as string;
      expect((response.body as { message: string[] }).message).toEqual([
        expect.stringMatching(new RegExp(`${leaf} must not contain`)),
      ]);
      expect(await stored()).toEqual(before);
    });

    it('in an operator request answers 400 and writes nothing to the audit log', async () => {
      const bookingId = await system.book(trip({ faults: { hotel: 'timeout' } }));
      // Waiting on the silent hotel for 30 s, the flight beside it done: nothing else is
      // written meanwhile.
      const audit = await waitFor(async () => {
        const lines = await system.audit(bookingId);
        const onHotel = lines.some((l) => l.type === 'COMMAND_SENT' && l.step === 'hotel');
        const flightDone = lines.some((l) => l.type === 'STEP_COMPLETED' && l.step === 'flight');
        return onHotel && flightDone ? lines.length : undefined;
      });
      await system
        .http('orchestrator')
        .post(`/bookings/${bookingId}/cancel`)
        .set('X-API-Key', KEY)
        .send({ operator: 'alice', reason: bad })
        .expect(400);
      expect((await system.audit(bookingId)).length).toBe(audit);
    });

    it('in a fault rule answers 400 and stores no rule', async () => {
      await system.http('hotel').post('/faults').send({ match: bad, action: 'fail' }).expect(400);
      expect((await system.http('hotel').get('/faults').expect(200)).body).toEqual([]);
    });
  });

  it("answers 400 for a NUL in a participant's booking id (a lone surrogate cannot be in a URL)", async () => {
    await system.http('flight').get('/reservations/a%00b').expect(400);
    await system.http('hotel').get('/reservations/a%00b').expect(400);
    await system.http('payment').get('/payments/a%00b').expect(400);
    await system.http('flight').get('/reservations/%ED%A0%80').expect(400);
  });

  it('refuses an Idempotency-Key past 255 characters, and takes one of 255', async () => {
    const before = await stored();
    const response = await system
      .http('orchestrator')
      .post('/bookings')
      .set('Idempotency-Key', 'k'.repeat(256))
      .send(trip())
      .expect(400);
    expect(response.body).toMatchObject({
      message: ['Idempotency-Key must be at most 255 characters'],
    });
    expect(await stored()).toEqual(before);
    const key = 'k'.repeat(255);
    await system
      .http('orchestrator')
      .post('/bookings')
      .set('Idempotency-Key', key)
      .send(trip())
      .expect(202);
  });

  it.each([
    '/operator/attention?stuckSeconds=1e20',
    '/operator/attention?stuckSeconds=315360001',
    '/operator/attention?stuckSeconds=-1',
    '/operator/attention?limit=1e20',
    '/bookings?limit=1e20',
    '/bookings?limit=NaN',
    '/bookings/00000000-0000-0000-0000-000000000000?wait=1e20',
    '/bookings/00000000-0000-0000-0000-000000000000?wait=Infinity',
  ])('answers 400 for the absurd number in %s', async (path) => {
    await system.http('orchestrator').get(path).set('X-API-Key', KEY).expect(400);
  });

  it('answers the longest stuckSeconds it takes', async () => {
    await system
      .http('orchestrator')
      .get('/operator/attention?stuckSeconds=315360000')
      .set('X-API-Key', KEY)
      .expect(200);
  });
});
