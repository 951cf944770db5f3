import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../scripts/support/free-port';
import { appsBut, TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';
import { waitFor } from '../support/wait-for';

const HOTEL_MAIN = join(__dirname, '../../dist/apps/hotel-service/src/main.js');

/**
 * The hotel service as a real process, told by a `crash` rule to kill itself once a
 * reservation has committed and before the command is acked: after a restart the command
 * comes again, and the booking ends with the rooms taken once.
 */
describe('a crash rule on a participant', () => {
  let system: TripSystem;
  let hotel: ChildProcess | null = null;
  let port: number;

  beforeAll(async () => {
    if (!existsSync(HOTEL_MAIN)) throw new Error(`${HOTEL_MAIN} is missing: run npm run build`);
    // A step timeout longer than a restart: the reply must come from the restarted service.
    system = await TripSystem.start({
      apps: appsBut('hotel'),
      env: { STEP_TIMEOUT_MS: '60000' },
    });
    port = await freePort();
  });

  afterAll(async () => {
    hotel?.kill('SIGKILL');
    await system?.stop();
  });

  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const startHotel = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [HOTEL_MAIN], {
      env: { ...process.env, ...system.env('hotel'), PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    hotel = child;
    await waitFor(async () => ((await fetch(url('/health'))).ok ? true : undefined), {
      timeoutMs: 20_000,
      what: 'the hotel service to start',
    });
    return child;
  };

  it('kills the process after the work commits; after a restart the booking confirms, rooms taken once', async () => {
    const doomed = await startHotel();
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      doomed.on('exit', (_code, signal) => resolve(signal)),
    );
    const rule = await fetch(url('/faults'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ match: 'hotel.reserve', action: 'crash', count: 1 }),
    });
    expect(rule.status).toBe(201);

    const bookingId = await system.book({
      customerId: 'cust-5',
      flight: { flightId: 'FL-200', seats: 1 },
      hotel: { hotelId: 'HT-300', nights: 1, rooms: 3 },
    });
    expect(await exited).toBe('SIGKILL');

    // The reservation and the command's inbox row committed; the ack never went out.
    const [reservation] = await system.sql<{ status: string; rooms: number }>(
      'hotel',
      'SELECT status, rooms FROM hotel_reservations WHERE booking_id = $1',
      [bookingId],
    );
    expect(reservation).toEqual({ status: 'RESERVED', rooms: 3 });
    expect((await system.booking(bookingId)).status).toBe('PENDING');

    // The rule died with the process: the restarted service has none.
    await startHotel();
    expect(await (await fetch(url('/faults'))).json()).toEqual([]);
    const booking = await system.settled(bookingId);

    expect(booking.status).toBe('CONFIRMED');
    const [hotelRow] = await system.sql<{ rooms_total: number; rooms_available: number }>(
      'hotel',
      "SELECT rooms_total, rooms_available FROM hotels WHERE hotel_id = 'HT-300'",
    );
    expect(hotelRow.rooms_total - hotelRow.rooms_available).toBe(3);
    const replies = await system.sql<{ n: string }>(
      'hotel',
      "SELECT count(*) AS n FROM saga_outbox WHERE type = 'hotel.reserve.reply'",
    );
    expect(Number(replies[0].n)).toBe(1);
    await assertTripInvariants(system);
    hotel?.kill('SIGTERM');
    await new Promise((resolve) => hotel?.on('exit', resolve));
    hotel = null;
  });
});
