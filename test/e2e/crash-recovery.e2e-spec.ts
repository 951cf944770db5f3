import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';
import { waitFor } from '../support/wait-for';

const ORCHESTRATOR_MAIN = join(__dirname, '../../dist/apps/orchestrator/src/main.js');

/**
 * The orchestrator as a real process, killed with SIGKILL right after a saga transition
 * committed and before its command was published: the outbox must still deliver it.
 */
describe('crash recovery', () => {
  let system: TripSystem;
  let orchestrator: ChildProcess | null = null;
  let port: number;

  beforeAll(async () => {
    if (!existsSync(ORCHESTRATOR_MAIN))
      throw new Error(`${ORCHESTRATOR_MAIN} is missing: run npm run build`);
    system = await TripSystem.start({ apps: ['flight', 'hotel', 'payment'] });
    port = await freePort();
  });

  afterAll(async () => {
    orchestrator?.kill('SIGKILL');
    await system?.stop();
  });

  const startOrchestrator = (env: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [ORCHESTRATOR_MAIN], {
      env: { ...process.env, ...system.env('orchestrator'), PORT: String(port), ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    orchestrator = child;
    return child;
  };
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const up = () =>
    waitFor(async () => ((await fetch(url('/health'))).ok ? true : undefined), {
      timeoutMs: 20_000,
      what: 'the orchestrator to start',
    });

  it('loses no command when the orchestrator dies between a state change and its publish', async () => {
    const doomed = startOrchestrator({ FAULT_POINT: 'after-commit-before-publish' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      doomed.on('exit', (_code, signal) => resolve(signal)),
    );
    await up();
    // The process kills itself once the saga and its first command are committed.
    await fetch(url('/bookings'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: 'cust-2',
        flight: { flightId: 'FL-200', seats: 1 },
        hotel: { hotelId: 'HT-300', nights: 2, rooms: 1 },
      }),
    }).catch(() => undefined);
    expect(await exited).toBe('SIGKILL');

    const [saga] = await system.sql<{ id: string; status: string }>(
      'orchestrator',
      `SELECT id::text AS id, status FROM saga_instances`,
    );
    expect(saga.status).toBe('PENDING');
    const unsent = await system.sql(
      'orchestrator',
      `SELECT type FROM saga_outbox WHERE sent_at IS NULL`,
    );
    expect(unsent).toEqual([{ type: 'flight.reserve' }]);
    expect(await system.participantState('flight', saga.id)).toBeNull();

    startOrchestrator();
    await up();
    const booking = await waitFor(
      async () => {
        const body = (await (await fetch(url(`/bookings/${saga.id}`))).json()) as {
          status: string;
        };
        return body.status === 'PENDING' ? undefined : body;
      },
      { timeoutMs: 20_000, what: 'the booking to end' },
    );
    expect(booking.status).toBe('CONFIRMED');
    const commands = await system.sql<{ type: string }>(
      'orchestrator',
      `SELECT type FROM saga_outbox ORDER BY id`,
    );
    expect(commands.map((c) => c.type)).toEqual([
      'flight.reserve',
      'hotel.reserve',
      'payment.charge',
    ]);
    expect(await system.participantState('flight', saga.id)).toMatchObject({
      status: 'RESERVED',
      seats: 1,
    });
    await assertTripInvariants(system);
    orchestrator?.kill('SIGTERM');
    await new Promise((resolve) => orchestrator?.on('exit', resolve));
    orchestrator = null;
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
