import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { CommandMessage, IncomingMessage } from '@app/saga-core';
import { RabbitMqTransport } from '@app/saga-core/transport/rabbitmq/rabbitmq.transport';
import { FlightEndpoints } from '@app/trip-api';
import { queueDepth } from '../support/rabbitmq-vhost';
import { TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';
import { waitFor } from '../support/wait-for';

const trip = {
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 1 },
  hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
};

/** Redeliveries and poison: what RabbitMQ's at-least-once delivery must never turn into. */
describe('delivery guarantees', () => {
  let system: TripSystem;
  let transport: RabbitMqTransport;

  beforeAll(async () => {
    // The probe plays a second orchestrator: the participants must be allowed to answer it.
    system = await TripSystem.start({
      env: { SAGA_REPLY_QUEUES: 'orchestrator.replies,probe.replies' },
    });
    transport = new RabbitMqTransport({ url: system.vhost.url, connectionName: 'test-probe' });
    await transport.init();
  });

  afterAll(async () => {
    await transport?.close();
    await system?.stop();
  });

  /** Waits until the broker holds nothing, ready or unacked, for `queue`. */
  const drained = (queue: string) =>
    waitFor(
      async () => ((await queueDepth(system.vhost.vhost, queue)).total === 0 ? true : undefined),
      { what: `${queue} to drain`, timeoutMs: 15_000, intervalMs: 250 },
    );

  it('reserves once and replies once when a command is delivered twice', async () => {
    const replies: IncomingMessage[] = [];
    await transport.declareQueue({ name: 'probe.replies' });
    await transport.consume({ name: 'probe.replies' }, async (m) => {
      replies.push(m);
    });
    const bookingId = randomUUID();
    const command: CommandMessage = {
      messageId: randomUUID(),
      type: FlightEndpoints.reserve.type,
      sagaId: bookingId,
      step: 'flight',
      stepIndex: 0,
      phase: 'forward',
      attempt: 1,
      replyTo: 'probe.replies',
      payload: { bookingId, flightId: 'FL-100', seats: 3 },
      sentAt: new Date().toISOString(),
    };
    const publish = () =>
      transport.publish({
        messageId: command.messageId,
        exchange: '',
        routingKey: FlightEndpoints.reserve.channel,
        type: command.type,
        body: command,
      });
    const seatsBefore = await seatsAvailable('FL-100');
    await publish();
    await publish();
    await drained(FlightEndpoints.reserve.channel);
    await waitFor(() => (replies.length > 0 ? true : undefined), { what: 'a reply' });
    // The relay publishes right after commit; a second reply would be out by the time the
    // queue is drained and the relay has nothing pending.
    await waitFor(async () => {
      const [row] = await system.sql<{ n: string }>(
        'flight',
        `SELECT count(*) AS n FROM saga_outbox WHERE sent_at IS NULL`,
      );
      return Number(row.n) === 0 ? true : undefined;
    });
    await drained('probe.replies');
    expect(replies).toHaveLength(1);
    expect(await seatsAvailable('FL-100')).toBe(seatsBefore - 3);
    expect(await system.participantState('flight', bookingId)).toMatchObject({
      seats: 3,
      status: 'RESERVED',
    });
    // Not part of a saga the orchestrator knows: undo it so the invariants hold for the rest.
    await system.sql(
      'flight',
      `UPDATE flight_reservations SET status = 'CANCELLED' WHERE booking_id = $1`,
      [bookingId],
    );
    await system.sql(
      'flight',
      `UPDATE flights SET seats_available = seats_available + 3 WHERE flight_id = 'FL-100'`,
    );
  });

  it('changes nothing when a reply is delivered twice, and records a second copy as ignored', async () => {
    const bookingId = await system.book(trip);
    expect((await system.settled(bookingId)).status).toBe('CONFIRMED');
    const auditBefore = await system.audit(bookingId);
    const [reply] = await system.sql<{ message_id: string; body: Record<string, unknown> }>(
      'flight',
      `SELECT message_id, body FROM saga_outbox WHERE body->>'sagaId' = $1`,
      [bookingId],
    );

    // The very same message again (a broker redelivery): the inbox drops it.
    await transport.publish({
      messageId: reply.message_id,
      exchange: '',
      routingKey: 'orchestrator.replies',
      type: String(reply.body.type),
      body: reply.body,
    });
    await drained('orchestrator.replies');
    expect(await system.audit(bookingId)).toEqual(auditBefore);

    // The same answer under a new message id (a participant that sent twice): recorded, ignored.
    const copyId = randomUUID();
    await transport.publish({
      messageId: copyId,
      exchange: '',
      routingKey: 'orchestrator.replies',
      type: String(reply.body.type),
      body: { ...reply.body, messageId: copyId },
    });
    await drained('orchestrator.replies');
    const auditAfter = await waitFor(async () => {
      const audit = await system.audit(bookingId);
      return audit.length > auditBefore.length ? audit : undefined;
    });
    expect(auditAfter.slice(0, auditBefore.length)).toEqual(auditBefore);
    expect(auditAfter.slice(auditBefore.length)).toEqual([
      expect.objectContaining({
        type: 'REPLY_IGNORED',
        step: 'flight',
        detail: expect.objectContaining({ reason: 'the saga has ended' }),
      }),
    ]);
    expect(await system.booking(bookingId)).toMatchObject({ status: 'CONFIRMED' });
    await assertTripInvariants(system);
  });

  it('dead-letters a reply that is not JSON, and sagas behind it still finish', async () => {
    const connection = await connect(system.vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      channel.sendToQueue('orchestrator.replies', Buffer.from('{"this is": not json'), {
        persistent: true,
      });
      channel.sendToQueue(
        'orchestrator.replies',
        Buffer.from(JSON.stringify({ type: 'flight.reserve.reply' })),
        {
          persistent: true,
          messageId: randomUUID(),
        },
      );
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    const bookingId = await system.book(trip);
    expect((await system.settled(bookingId)).status).toBe('CONFIRMED');
    await waitFor(async () =>
      (await queueDepth(system.vhost.vhost, 'orchestrator.replies.dead-letter')).total === 2
        ? true
        : undefined,
    );
    await assertTripInvariants(system);
  });

  async function seatsAvailable(flightId: string): Promise<number> {
    const flights = (await system.http('flight').get('/flights').expect(200)).body as {
      flightId: string;
      seatsAvailable: number;
    }[];
    return flights.find((f) => f.flightId === flightId)?.seatsAvailable ?? NaN;
  }
});
