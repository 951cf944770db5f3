import { INestApplication } from '@nestjs/common';
import { CommandMessage } from '@app/saga-core/transport/message-envelope';
import { FLIGHT_COMMANDS, TripErrorCode } from '@app/trip-api';
import { queryRows } from '../../scripts/support/pg-query';
import { createFlightServiceApp } from '../../apps/flight-service/src/flight-service.app';
import { TestDatabase, createTestDatabase } from '../support/postgres';
import { TestVhost, createTestVhost, queueDepth } from '../support/rabbitmq-vhost';
import { eventually, waitFor } from '../support/wait-for';
import { CommandClient, stepFaultHeaders } from './command-client';
import { unsentOutboxRows } from './quiescence';

jest.setTimeout(60_000);

/**
 * Group commit on PostgreSQL and RabbitMQ: a participant that finds a backlog on its queue
 * (here: commands sent while it was down) handles what arrives together in shared
 * transactions, and each command still has exactly its own effect and its own reply, refusals,
 * injected failures and a copy of a command included.
 */
describe('group commit of a participant (flight-service)', () => {
  let vhost: TestVhost;
  let database: TestDatabase;
  let flight: INestApplication | null = null;
  let client: CommandClient;

  const boot = () =>
    createFlightServiceApp(
      {
        DATABASE_URL: database.url,
        AMQP_URL: vhost.url,
        PORT: '0',
        SAGA_REPLY_QUEUES: 'test.replies',
      },
      { logger: ['error'] },
    );

  const seatsOf = async (flightId: string) =>
    Number(
      (
        await queryRows<{ n: number }>(
          database.url,
          'SELECT seats_available AS n FROM flights WHERE flight_id = $1',
          [flightId],
        )
      )[0].n,
    );

  beforeAll(async () => {
    vhost = await createTestVhost();
    database = await createTestDatabase('group_commit');
    client = await CommandClient.open(vhost.url);
    // Declares the queue and seeds the flights, then leaves the commands to pile up.
    await (await boot()).close();
  });

  afterAll(async () => {
    await client?.close();
    await flight?.close();
    await database?.dispose();
    await vhost?.dispose();
  });

  it('handles a backlog in shared transactions, each command once with its own reply', async () => {
    const before = await seatsOf('FL-100');
    const reserve = (flightId: string, seats: number) =>
      client.command('flight.reserve', { bookingId: `gc-${Math.random()}`, flightId, seats });
    const accepted = Array.from({ length: 40 }, () => reserve('FL-100', 1));
    const soldOut = reserve('FL-300', 5);
    const injected = reserve('FL-100', 1);
    const copied = accepted[7];
    const sends: [CommandMessage, Record<string, string>?][] = [
      ...accepted.slice(0, 20).map((c): [CommandMessage] => [c]),
      [soldOut],
      [injected, stepFaultHeaders('flight', 'fail')],
      [copied],
      ...accepted.slice(20).map((c): [CommandMessage] => [c]),
    ];
    for (const [command, headers] of sends) await client.send(FLIGHT_COMMANDS, command, headers);
    expect(await client.queueDepth(FLIGHT_COMMANDS)).toBe(sends.length);

    flight = await boot();
    for (const command of [...accepted, soldOut, injected]) await client.replyTo(command);
    await waitFor(
      async () =>
        (await queueDepth(vhost.vhost, FLIGHT_COMMANDS)).total === 0 &&
        (await unsentOutboxRows([database.url])) === 0
          ? true
          : undefined,
      { what: 'the backlog handled and every reply sent' },
    );
    await client.marker();

    for (const command of accepted) {
      expect(client.repliesTo(command)).toEqual([
        expect.objectContaining({ outcome: 'success', payload: expect.anything() }),
      ]);
    }
    expect(client.repliesTo(soldOut)).toEqual([
      expect.objectContaining({
        outcome: 'failure',
        error: expect.objectContaining({ code: TripErrorCode.SOLD_OUT }),
      }),
    ]);
    expect(client.repliesTo(injected)).toEqual([expect.objectContaining({ outcome: 'failure' })]);
    await eventually(async () => expect(await seatsOf('FL-100')).toBe(before - accepted.length));

    const ids = accepted.map((c) => (c.payload as { bookingId: string }).bookingId);
    const [written] = await queryRows<{ reservations: number; transactions: number }>(
      database.url,
      `SELECT count(*)::int AS reservations, count(DISTINCT xmin::text)::int AS transactions
         FROM flight_reservations WHERE booking_id = ANY($1)`,
      [ids],
    );
    // Rows written by one transaction share its id (xmin): far fewer transactions than rows.
    expect(written.reservations).toBe(accepted.length);
    expect(written.transactions).toBeLessThan(accepted.length / 4);
  });
});
