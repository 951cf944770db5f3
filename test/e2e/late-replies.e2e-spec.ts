import { AuditLine, TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';
import { waitFor } from '../support/wait-for';

/**
 * The hotel's answer is held back with `delay` rules, past the step's timeout. The delays are
 * chosen so the order of events at the hotel does not depend on the machine's speed: in the
 * first test the reservation runs a second before its cancellation can arrive, in the second
 * the cancellation runs two seconds before the reservation.
 */
const STEP_TIMEOUT_MS = 2_000;

const trip = {
  customerId: 'cust-4',
  flight: { flightId: 'FL-200', seats: 1 },
  hotel: { hotelId: 'HT-300', nights: 2, rooms: 2 },
};

interface HotelView {
  hotelId: string;
  roomsTotal: number;
  roomsAvailable: number;
}

describe('replies that come after their step timed out', () => {
  let system: TripSystem;

  beforeAll(async () => {
    system = await TripSystem.start({ env: { STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS) } });
  });

  afterAll(async () => {
    await system?.stop();
  });

  afterEach(async () => {
    await system.http('hotel').delete('/faults').expect(200);
  });

  const addRule = (rule: object) => system.http('hotel').post('/faults').send(rule).expect(201);

  async function roomsAvailable(): Promise<number> {
    const hotels = (await system.http('hotel').get('/hotels').expect(200)).body as HotelView[];
    return hotels.find((h) => h.hotelId === 'HT-300')?.roomsAvailable ?? NaN;
  }

  /** The audit line of the hotel's late forward reply, once the orchestrator has recorded it. */
  function lateHotelReply(bookingId: string): Promise<AuditLine> {
    return waitFor(
      async () =>
        (await system.audit(bookingId)).find(
          (a) => a.type === 'REPLY_IGNORED' && a.step === 'hotel' && a.detail.phase === 'forward',
        ),
      { timeoutMs: 20_000, what: 'the late hotel reply in the audit log' },
    );
  }

  it('records and ignores a late reply, and undoes the reservation it reports', async () => {
    const rooms = await roomsAvailable();
    // The reservation runs 2.5 s after it is sent, 0.5 s after the step timed out; the
    // cancellation the timeout sends is held 1.5 s more, so it comes after the reservation.
    await addRule({ match: 'hotel.reserve', action: 'delay', delayMs: 2_500, count: 1 });
    await addRule({ match: 'hotel.cancel', action: 'delay', delayMs: 1_500, count: 1 });

    const bookingId = await system.book(trip);
    const booking = await system.settled(bookingId);

    expect(booking.status).toBe('CANCELLED');
    expect(booking.steps.map((s) => s.status)).toEqual(['COMPENSATED', 'COMPENSATED', 'SKIPPED']);
    expect(booking.failureReason).toBe(`hotel: no reply within ${STEP_TIMEOUT_MS} ms`);
    const late = await lateHotelReply(bookingId);
    expect(late.detail).toMatchObject({
      attempt: 1,
      outcome: 'success',
      payload: expect.objectContaining({ hotelId: 'HT-300', rooms: 2 }),
      // Compensating, unless a slow machine let the cancellation overtake the reply.
      reason: expect.stringMatching(/^no longer awaited: step hotel is |^the saga has ended$/),
    });
    const types = (await system.audit(bookingId)).map((a) => `${a.type}:${a.step ?? ''}`);
    expect(types.indexOf('STEP_TIMED_OUT:hotel')).toBeLessThan(
      types.indexOf('REPLY_IGNORED:hotel'),
    );
    expect(types.filter((t) => t === 'STEP_COMPLETED:hotel')).toEqual([]);
    // The reservation was made (a tombstone would answer 404), then released.
    expect(await system.participantState('hotel', bookingId)).toMatchObject({
      hotelId: 'HT-300',
      rooms: 2,
      status: 'CANCELLED',
    });
    expect(await system.participantState('flight', bookingId)).toMatchObject({
      status: 'CANCELLED',
    });
    expect(await system.participantState('payment', bookingId)).toBeNull();
    expect(await roomsAvailable()).toBe(rooms);
    await assertTripInvariants(system);
  });

  it('leaves nothing reserved when the cancellation reaches the hotel before the reservation', async () => {
    const rooms = await roomsAvailable();
    // The reservation is held 4 s; the step times out at 2 s and its cancellation runs at once.
    await addRule({ match: 'hotel.reserve', action: 'delay', delayMs: 4_000, count: 1 });

    const bookingId = await system.book(trip);
    const booking = await system.settled(bookingId);

    expect(booking.status).toBe('CANCELLED');
    expect(booking.steps.map((s) => s.status)).toEqual(['COMPENSATED', 'COMPENSATED', 'SKIPPED']);
    // The reservation runs after the booking ended: the hotel refuses it, and says so late.
    const late = await lateHotelReply(bookingId);
    expect(late.detail).toMatchObject({
      outcome: 'failure',
      error: expect.objectContaining({ code: 'ALREADY_CANCELLED', retryable: false }),
      reason: expect.stringMatching(/^the saga has ended$|^no longer awaited/),
    });
    // The hotel kept a tombstone to refuse the late reservation; it shows no reservation.
    expect(await system.participantState('hotel', bookingId)).toBeNull();
    const [tombstone] = await system.sql(
      'hotel',
      'SELECT * FROM hotel_reservations WHERE booking_id = $1',
      [bookingId],
    );
    expect(tombstone).toMatchObject({ hotel_id: null, rooms: 0, status: 'CANCELLED' });
    expect(await system.participantState('flight', bookingId)).toMatchObject({
      status: 'CANCELLED',
    });
    expect(await roomsAvailable()).toBe(rooms);
    await assertTripInvariants(system);
  });
});
