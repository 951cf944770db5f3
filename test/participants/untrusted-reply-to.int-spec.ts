import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { connect } from 'amqplib';
import { DataSource } from 'typeorm';
import { CommandMessage, IncomingMessage, ReplyMessage } from '@app/saga-core';
import { deadLetterQueueOf, MessageTransport } from '@app/saga-core/transport/message-transport';
import { DeadLetterHeader } from '@app/saga-core/transport/dead-letter-headers';
import { RabbitMqTransport } from '@app/saga-core/transport/rabbitmq/rabbitmq.transport';
import { FLIGHT_COMMANDS, FlightEndpoints } from '@app/trip-api';
import { createFlightServiceApp } from '../../apps/flight-service/src/flight-service.app';
import { readDeadLetters } from '../support/dead-letters';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { createTestVhost, listConnections, listQueues, TestVhost } from '../support/rabbitmq-vhost';
import { eventually, waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

const REPLIES = 'orchestrator.replies';

/**
 * A command's `replyTo` comes from the message: a participant must answer only on the queues
 * allowed to it, dead-letter anything else with its reason, declare nothing a message names,
 * and keep its connection whatever a message says.
 */
describe('a participant given untrusted reply queues', () => {
  let vhost: TestVhost;
  let database: TestDatabase;
  let flight: INestApplication;
  let probe: RabbitMqTransport;
  const replies: ReplyMessage[] = [];

  beforeAll(async () => {
    [vhost, database] = await Promise.all([createTestVhost(), createTestDatabase('untrusted')]);
    flight = await createFlightServiceApp(
      {
        DATABASE_URL: database.url,
        AMQP_URL: vhost.url,
        PORT: '0',
        SAGA_REPLY_QUEUES: `${REPLIES},tenant.replies.*`,
      },
      { logger: false },
    );
    probe = new RabbitMqTransport({ url: vhost.url, connectionName: 'probe' });
    await probe.init();
    await probe.consume({ name: REPLIES }, async (message: IncomingMessage) => {
      replies.push(message.body as ReplyMessage);
    });
  });

  afterAll(async () => {
    await probe?.close();
    await flight?.close();
    await Promise.all([database?.dispose(), vhost?.dispose()]);
  });

  function command(type: string, replyTo: string, payload: object): CommandMessage {
    return {
      messageId: randomUUID(),
      type,
      sagaId: randomUUID(),
      step: 'flight',
      stepIndex: 0,
      phase: type === FlightEndpoints.cancel.type ? 'compensation' : 'forward',
      attempt: 1,
      replyTo,
      payload,
      sentAt: new Date().toISOString(),
    };
  }

  /** Straight to the command queue, as anyone with access to the broker could. */
  async function sendRaw(commands: CommandMessage[]): Promise<void> {
    const connection = await connect(vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      for (const c of commands) {
        channel.sendToQueue(FLIGHT_COMMANDS, Buffer.from(JSON.stringify(c)), {
          persistent: true,
          messageId: c.messageId,
          type: c.type,
        });
      }
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
  }

  const sql = <T>(query: string, params: unknown[] = []): Promise<T[]> =>
    flight.get(DataSource).query(query, params);

  it('dead-letters every command with a hostile replyTo, with its reason, and stays connected', async () => {
    const connection = await connect(vhost.url);
    try {
      const channel = await connection.createChannel();
      // An existing queue with other arguments: declaring it as a work queue is refused.
      await channel.assertQueue('legacy.replies', { durable: true });
    } finally {
      await connection.close();
    }
    const flightTransport = flight.get(MessageTransport) as RabbitMqTransport;
    const [flightConnection] = (await listConnections(vhost.vhost)).filter(
      (c) => c.name === 'flight-service',
    );
    const queuesBefore = await listQueues(vhost.vhost);
    const hostileNames = [
      deadLetterQueueOf(REPLIES),
      'legacy.replies',
      'amq.rabbitmq.reply-to',
      'amq.gen-JzTY20BRgKO-HjmUJj0wLg',
      `random-${randomUUID()}`,
      FLIGHT_COMMANDS,
    ];
    const hostile = hostileNames.map((replyTo) =>
      command(FlightEndpoints.cancel.type, replyTo, { bookingId: randomUUID() }),
    );
    const good = command(FlightEndpoints.reserve.type, REPLIES, {
      bookingId: randomUUID(),
      flightId: 'FL-100',
      seats: 1,
    });

    await sendRaw([...hostile, good]);

    await waitFor(() => replies.find((r) => r.inReplyTo === good.messageId), {
      what: 'the reply to the good command',
    });
    const letters = await waitFor(
      async () => {
        const found = await readDeadLetters(vhost.url, deadLetterQueueOf(FLIGHT_COMMANDS));
        return found.length >= hostile.length ? found : undefined;
      },
      { what: 'the hostile commands in the dead letters' },
    );
    expect(letters.map((l) => l.messageId).sort()).toEqual(hostile.map((c) => c.messageId).sort());
    for (const letter of letters) {
      const sent = hostile.find((c) => c.messageId === letter.messageId) as CommandMessage;
      expect(letter.headers).toMatchObject({
        [DeadLetterHeader.REASON]: 'untrusted-reply-to',
        [DeadLetterHeader.FROM]: FLIGHT_COMMANDS,
        [DeadLetterHeader.ERROR]: expect.stringContaining(JSON.stringify(sent.replyTo)),
      });
      expect(JSON.parse(letter.content)).toEqual(sent);
    }
    // No reply was written for them: the outbox holds the good reply only, sent.
    await eventually(async () =>
      expect(await sql(`SELECT routing_key, sent_at IS NOT NULL AS sent FROM saga_outbox`)).toEqual(
        [{ routing_key: REPLIES, sent: true }],
      ),
    );
    // The cancels never ran: no tombstone for any of their bookings.
    const touched = await sql(
      `SELECT booking_id FROM flight_reservations WHERE booking_id = ANY($1)`,
      [hostile.map((c) => (c.payload as { bookingId: string }).bookingId)],
    );
    expect(touched).toEqual([]);
    expect(await listQueues(vhost.vhost)).toEqual(queuesBefore);
    expect(flightTransport.stats().disconnects).toBe(0);
    expect((await listConnections(vhost.vhost)).filter((c) => c.name === 'flight-service')).toEqual(
      [flightConnection],
    );
  });

  it('answers on a queue its prefix entry allows, and keeps a reply to a missing one unsent', async () => {
    await probe.declareQueue({ name: 'tenant.replies.a' });
    const tenantReplies: ReplyMessage[] = [];
    await probe.consume({ name: 'tenant.replies.a' }, async (message) => {
      tenantReplies.push(message.body as ReplyMessage);
    });
    const queuesBefore = await listQueues(vhost.vhost);
    const toTenant = command(FlightEndpoints.cancel.type, 'tenant.replies.a', {
      bookingId: randomUUID(),
    });
    const toNowhere = command(FlightEndpoints.cancel.type, 'tenant.replies.gone', {
      bookingId: randomUUID(),
    });

    await sendRaw([toNowhere, toTenant]);

    await waitFor(() => tenantReplies.find((r) => r.inReplyTo === toTenant.messageId), {
      what: 'the reply on the tenant queue',
    });
    // The broker returned the other reply: it stays owed, with the error, and nothing declared.
    const [row] = await waitFor(async () => {
      const rows = await sql<{ attempts: number; last_error: string; sent: boolean }>(
        `SELECT attempts, last_error, sent_at IS NOT NULL AS sent
           FROM saga_outbox WHERE routing_key = 'tenant.replies.gone' AND attempts > 0`,
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(row).toMatchObject({ sent: false, last_error: expect.stringMatching(/no queue/) });
    expect(await listQueues(vhost.vhost)).toEqual(queuesBefore);
    expect((flight.get(MessageTransport) as RabbitMqTransport).stats().disconnects).toBe(0);
  });
});
