import { randomBytes } from 'node:crypto';
import { AppProcess } from '../support/app-process';
import { TripSystem } from '../support/trip-system';
import { eventually } from '../support/wait-for';

type Mode = 'orchestrated' | 'choreographed';

interface LogLine {
  level: number;
  service?: string;
  msg?: string;
  sagaId?: string;
  messageId?: string;
  traceId?: string;
}

const booking = (mode: Mode) => ({
  mode,
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 1 },
  hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
});

/** The JSON lines a process wrote (its other output, if any, left out). */
function jsonLines(app: AppProcess): LogLine[] {
  return app
    .log()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/**
 * The flight service as a real process writing JSON logs, the other apps in this one: a
 * client's `traceparent` travels from the request through the command to the flight's log.
 */
describe('structured logs', () => {
  let system: TripSystem;
  let flight: AppProcess | null = null;

  beforeAll(async () => {
    system = await TripSystem.start({ apps: ['orchestrator', 'hotel', 'payment'] });
  });

  afterAll(async () => {
    await flight?.stop();
    await system?.stop();
  });

  it.each<Mode>(['orchestrated', 'choreographed'])(
    'writes, at debug, a line per %s step that names the saga, the message and the trace',
    async (mode) => {
      flight ??= await AppProcess.start(system, 'flight', {
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'json',
      });
      const traceId = randomBytes(16).toString('hex');
      const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
      const bookingId = await system.book(booking(mode), { traceparent });
      expect((await system.settled(bookingId)).status).toBe('CONFIRMED');
      const app = flight;
      await eventually(() => {
        const step = jsonLines(app).find((line) => line.sagaId === bookingId);
        expect(step).toMatchObject({
          level: 20,
          service: 'flight-service',
          traceId,
          messageId: expect.any(String),
          msg: expect.stringContaining(
            mode === 'orchestrated' ? 'flight.reserve' : 'trip.booking.requested',
          ),
        });
      });
    },
  );

  it('writes nothing per message at the info level', async () => {
    await flight?.stop();
    flight = await AppProcess.start(system, 'flight', { LOG_FORMAT: 'json' });
    const started = jsonLines(flight).length;
    const ids = [];
    for (const mode of ['orchestrated', 'choreographed'] as const) {
      ids.push(await system.book(booking(mode)));
    }
    for (const id of ids) expect((await system.settled(id)).status).toBe('CONFIRMED');
    expect(jsonLines(flight).slice(started)).toEqual([]);
  });
});
