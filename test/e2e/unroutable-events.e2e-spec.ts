import { OUTBOX_STORE, OutboxStore } from '@app/saga-core';
import { PARTICIPANTS, TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

const trip = {
  mode: 'choreographed',
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 1 },
  hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
};

/**
 * Events are published `mandatory`: a choreographed booking's start event, published before
 * any participant bound its queue, is not confirmed and dropped, but tried again, then parked,
 * counted and listed; once the participants are up, an operator's release sends it on.
 */
describe('an event no queue is bound for yet', () => {
  let system: TripSystem;

  beforeAll(async () => {
    system = await TripSystem.start({
      apps: ['orchestrator'],
      env: {
        // No deadline gets in the way: the booking waits for its start event.
        STEP_TIMEOUT_MS: '120000',
        SAGA_OUTBOX_MAX_ATTEMPTS: '3',
        SAGA_OUTBOX_RETRY_DELAY_MS: '50',
      },
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const startEventRow = () =>
    system.sql<{ attempts: number; last_error: string; sent: boolean; parked: boolean }>(
      'orchestrator',
      `SELECT attempts, last_error, sent_at IS NOT NULL AS sent, parked_at IS NOT NULL AS parked
         FROM saga_outbox WHERE type = 'trip.booking.requested'`,
    );

  it('is tried again, parked and counted, then sent once an operator releases it', async () => {
    const bookingId = await system.book(trip);

    const [row] = await waitFor(
      async () => {
        const rows = await startEventRow();
        return rows[0]?.parked ? rows : undefined;
      },
      { what: 'the start event to be parked' },
    );
    expect(row).toEqual({
      attempts: 3,
      last_error: expect.stringMatching(
        /no queue bound to trip\.events for trip\.booking\.requested/,
      ),
      sent: false,
      parked: true,
    });
    const metrics = (await system.http('orchestrator').get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/saga_outbox_parked_total\{service="orchestrator"\} 1/);
    expect(metrics).toMatch(/saga_outbox_parked_rows\{service="orchestrator"\} 1/);
    const store = system.apps.get('orchestrator')!.get<OutboxStore>(OUTBOX_STORE);
    const parked = await store.parkedRows();
    expect(parked).toEqual([
      expect.objectContaining({ type: 'trip.booking.requested', exchange: 'trip.events' }),
    ]);
    expect((await system.booking(bookingId)).status).toBe('PENDING');

    for (const name of PARTICIPANTS) await system.startApp(name);
    expect(await store.releaseParked(parked.map((p) => p.id))).toBe(1);

    expect((await system.settled(bookingId, 30_000)).status).toBe('CONFIRMED');
    expect(await startEventRow()).toEqual([expect.objectContaining({ sent: true, parked: false })]);
    await assertTripInvariants(system);
  });
});
