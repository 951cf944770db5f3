import { Logger } from '@nestjs/common';
import { connect, type Channel, type GetMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { PoisonMessageError } from '@app/saga-core/errors/poison-message.error';
import { IncomingMessage, OutgoingMessage } from '@app/saga-core/transport/message-envelope';
import { deadLetterQueueOf, MessageHandler } from '@app/saga-core/transport/message-transport';
import { RabbitMqTransport } from '@app/saga-core/transport/rabbitmq/rabbitmq.transport';
import { RabbitMqTransportOptions } from '@app/saga-core/transport/rabbitmq/rabbitmq-transport.options';
import { DeadLetterHeader } from '@app/saga-core/transport/dead-letter-headers';
import { readDeadLetters } from '../support/dead-letters';
import {
  closeVhostConnections,
  createTestVhost,
  listConnections,
  listQueues,
  queueDepth,
  TestVhost,
} from '../support/rabbitmq-vhost';
import { eventually } from '../support/wait-for';

/** Nothing ready, nothing delivered and unacked: every message was settled. */
const EMPTY = { ready: 0, unacked: 0, total: 0 };

/** Gates a test opened; all are opened after each test so a failed one cannot stall close(). */
const gates: (() => void)[] = [];

/** A promise that the test settles by hand, to hold handlers in flight. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  gates.push(open);
  return { opened, open };
}

function command(queue: string, overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  const messageId = randomUUID();
  return {
    messageId,
    exchange: '',
    routingKey: queue,
    type: 'flight.reserve',
    body: { messageId, type: 'flight.reserve', sagaId: 'saga-1', payload: { seats: 2 } },
    ...overrides,
  };
}

/** A plain amqplib channel for what the transport must never do itself (malformed messages). */
async function withRawChannel<T>(url: string, use: (channel: Channel) => Promise<T>): Promise<T> {
  const connection = await connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    return await use(channel);
  } finally {
    await connection.close();
  }
}

describe('RabbitMqTransport', () => {
  const vhosts: TestVhost[] = [];
  const transports: RabbitMqTransport[] = [];
  let vhost: TestVhost;

  async function openTransport(
    options: Partial<RabbitMqTransportOptions> = {},
  ): Promise<RabbitMqTransport> {
    const transport = new RabbitMqTransport({
      url: vhost.url,
      connectionName: 'int-spec',
      ...options,
    });
    transports.push(transport);
    await transport.init();
    return transport;
  }

  /** A consumer that records what it handled, in order. */
  async function recordingConsumer(
    transport: RabbitMqTransport,
    queue: string,
    handle: MessageHandler = async () => undefined,
    prefetch?: number,
  ): Promise<IncomingMessage[]> {
    const handled: IncomingMessage[] = [];
    await transport.consume({ name: queue, prefetch }, async (message) => {
      await handle(message);
      handled.push(message);
    });
    return handled;
  }

  beforeAll(() => {
    // Requeues and dead letters are what these tests provoke; their error logs are noise here.
    Logger.overrideLogger(false);
  });

  beforeEach(async () => {
    vhost = await createTestVhost();
    vhosts.push(vhost);
  });

  afterEach(async () => {
    gates.splice(0).forEach((open) => open());
    await Promise.all(transports.splice(0).map((transport) => transport.close()));
  });

  afterAll(async () => {
    await Promise.all(vhosts.map((v) => v.dispose()));
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('delivers a published message with its id, type, body and headers, then acks it', async () => {
    const transport = await openTransport();
    const handled = await recordingConsumer(transport, 'flight.commands');
    const message = command('flight.commands', { headers: { 'x-saga-id': 'saga-1', attempt: 1 } });

    await transport.publish(message);

    await eventually(() => expect(handled).toHaveLength(1));
    expect(handled[0]).toEqual({
      messageId: message.messageId,
      type: 'flight.reserve',
      body: message.body,
      headers: expect.objectContaining({ 'x-saga-id': 'saga-1', attempt: 1 }),
      deliveryCount: 1,
      redelivered: false,
    });
    await eventually(async () =>
      expect(await queueDepth(vhost.vhost, 'flight.commands')).toEqual(EMPTY),
    );
    expect(transport.stats()).toEqual({
      published: 1,
      consumed: 1,
      deadLettered: 0,
      requeued: 0,
      disconnects: 0,
    });

    await transport.close();
    await transport.close();
    expect(transport.isConnected()).toBe(false);
  });

  it('publishes persistent JSON with its id, type and timestamp', async () => {
    const transport = await openTransport();
    await transport.declareQueue({ name: 'hotel.commands' });
    const message = command('hotel.commands');

    await transport.publish(message);

    const got = await withRawChannel(vhost.url, (channel) =>
      channel.get('hotel.commands', { noAck: true }),
    );
    expect(got).not.toBe(false);
    const { properties, content } = got as GetMessage;
    expect(properties).toMatchObject({
      deliveryMode: 2,
      contentType: 'application/json',
      messageId: message.messageId,
      type: 'flight.reserve',
    });
    expect(Math.abs(Number(properties.timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(JSON.parse(content.toString())).toEqual(message.body);
  });

  it('keeps a message published to a queue its publisher declared before any consumer', async () => {
    const publisher = await openTransport({ connectionName: 'publisher' });
    await publisher.declareQueue({ name: 'payment.commands' });
    const message = command('payment.commands');

    await publisher.publish(message);
    expect(await publisher.queueStats('payment.commands')).toEqual({ messages: 1, consumers: 0 });

    const consumer = await openTransport({ connectionName: 'consumer' });
    const handled = await recordingConsumer(consumer, 'payment.commands');
    await eventually(() => expect(handled.map((m) => m.messageId)).toEqual([message.messageId]));
  });

  it('declares no queue a publish names: a missing or reserved one is an error, the channel stays', async () => {
    const transport = await openTransport();
    const handled = await recordingConsumer(transport, 'orders');
    await withRawChannel(vhost.url, (channel) =>
      channel.assertQueue('classic.other-arguments', { durable: true }),
    );
    const before = await listQueues(vhost.vhost);

    await expect(transport.publish(command('never.declared'))).rejects.toThrow(
      /no queue never.declared/,
    );
    await expect(transport.publish(command('amq.gen-hostile'))).rejects.toThrow(/reserved/);
    await expect(
      transport.publish(command('orders', { exchange: 'no.such.exchange' })),
    ).rejects.toThrow(/no exchange no.such.exchange/);
    // An existing queue is a destination like any other, whatever its arguments: no declaration.
    await transport.publish(command('classic.other-arguments'));
    const good = command('orders');
    await transport.publish(good);

    await eventually(() => expect(handled.map((m) => m.messageId)).toEqual([good.messageId]));
    expect(await listQueues(vhost.vhost)).toEqual(before);
    expect(transport.stats()).toMatchObject({ published: 2, disconnects: 0 });
    const [connection] = await listConnections(vhost.vhost);
    expect(await listConnections(vhost.vhost)).toEqual([connection]);
  });

  it('dead-letters a message that is not JSON without blocking the queue', async () => {
    const transport = await openTransport();
    // One message at a time: a malformed message left unsettled would stop the queue.
    const handled = await recordingConsumer(transport, 'orders', undefined, 1);

    await withRawChannel(vhost.url, async (channel) => {
      channel.sendToQueue('orders', Buffer.from('{not json'), { messageId: 'garbage' });
      await (channel as unknown as { waitForConfirms(): Promise<void> }).waitForConfirms();
    });
    const good = command('orders');
    await transport.publish(good);

    await eventually(() => expect(handled.map((m) => m.messageId)).toEqual([good.messageId]));
    await eventually(async () =>
      expect(await transport.queueStats(deadLetterQueueOf('orders'))).toMatchObject({
        messages: 1,
      }),
    );
    expect(transport.stats()).toMatchObject({ consumed: 1, deadLettered: 1 });
    const [letter] = await readDeadLetters(vhost.url, deadLetterQueueOf('orders'));
    expect(letter).toMatchObject({
      messageId: 'garbage',
      content: '{not json',
      headers: {
        [DeadLetterHeader.REASON]: 'unreadable',
        [DeadLetterHeader.ERROR]: 'not a JSON object with an id',
        [DeadLetterHeader.FROM]: 'orders',
      },
    });
  });

  it('dead-letters a message at once when the handler throws a PoisonMessageError', async () => {
    const transport = await openTransport();
    let attempts = 0;
    await transport.consume({ name: 'replies' }, async () => {
      attempts++;
      throw new PoisonMessageError('unknown reply type');
    });

    await transport.publish(command('replies'));

    await eventually(async () =>
      expect(await transport.queueStats(deadLetterQueueOf('replies'))).toMatchObject({
        messages: 1,
      }),
    );
    expect(attempts).toBe(1);
    expect(transport.stats()).toMatchObject({ deadLettered: 1, requeued: 0 });
    const letters = await readDeadLetters(vhost.url, deadLetterQueueOf('replies'));
    expect(letters.map((letter) => letter.headers)).toEqual([
      expect.objectContaining({
        [DeadLetterHeader.REASON]: 'invalid',
        [DeadLetterHeader.ERROR]: 'unknown reply type',
        [DeadLetterHeader.FROM]: 'replies',
      }),
    ]);
  });

  it('redelivers a failing message up to the delivery limit, then dead-letters it, while others flow', async () => {
    const transport = await openTransport({ deliveryLimit: 3 });
    const failingDeliveries: number[] = [];
    const handled = await recordingConsumer(transport, 'hotel.commands', async (message) => {
      if (message.type === 'always.fails') {
        failingDeliveries.push(message.deliveryCount);
        throw new Error('database unavailable');
      }
    });

    await transport.publish(command('hotel.commands', { type: 'always.fails' }));
    const others = Array.from({ length: 5 }, () => command('hotel.commands'));
    await Promise.all(others.map((message) => transport.publish(message)));

    await eventually(() => expect(handled).toHaveLength(5));
    await eventually(async () =>
      expect(await transport.queueStats(deadLetterQueueOf('hotel.commands'))).toMatchObject({
        messages: 1,
      }),
    );
    // A limit of 3 redeliveries: delivered 4 times in all.
    expect(failingDeliveries).toEqual([1, 2, 3, 4]);
    expect(transport.stats()).toMatchObject({ consumed: 5, requeued: 3, deadLettered: 1 });
    await eventually(async () =>
      expect(await queueDepth(vhost.vhost, 'hotel.commands')).toEqual(EMPTY),
    );
    const letters = await readDeadLetters(vhost.url, deadLetterQueueOf('hotel.commands'));
    expect(letters.map((letter) => [letter.type, letter.headers])).toEqual([
      [
        'always.fails',
        expect.objectContaining({
          [DeadLetterHeader.REASON]: 'delivery-limit',
          [DeadLetterHeader.ERROR]: 'database unavailable',
          [DeadLetterHeader.FROM]: 'hotel.commands',
        }),
      ],
    ]);
  });

  it('redelivers a message whose handler fails once, then acks it on delivery 2', async () => {
    const transport = await openTransport();
    const deliveries: IncomingMessage[] = [];
    await transport.consume({ name: 'flight.commands' }, async (message) => {
      deliveries.push(message);
      if (deliveries.length === 1) throw new Error('deadlock detected');
    });

    await transport.publish(command('flight.commands'));

    await eventually(() => expect(deliveries).toHaveLength(2));
    expect(deliveries.map((m) => [m.deliveryCount, m.redelivered])).toEqual([
      [1, false],
      [2, true],
    ]);
    await eventually(async () =>
      expect(await queueDepth(vhost.vhost, 'flight.commands')).toEqual(EMPTY),
    );
    expect(await transport.queueStats(deadLetterQueueOf('flight.commands'))).toMatchObject({
      messages: 0,
    });
    expect(transport.stats()).toMatchObject({ consumed: 1, requeued: 1, deadLettered: 0 });
  });

  it.each([
    ['a database outage', 'read ECONNRESET', 'ECONNRESET'],
    ['a lock held past lock_timeout', 'canceling statement due to lock timeout', '55P03'],
    ['a statement past statement_timeout', 'canceling statement due to statement timeout', '57014'],
  ])(
    'holds a message through %s instead of spending its delivery limit',
    async (_what, text, code) => {
      const transport = await openTransport({ deliveryLimit: 2 });
      const tries: number[] = [];
      const down = Object.assign(new Error(text), { code });
      await transport.consume({ name: 'payment.commands' }, async (message) => {
        tries.push(message.deliveryCount);
        // More failed tries than the delivery limit allows redeliveries.
        if (tries.length <= 4) throw down;
      });

      await transport.publish(command('payment.commands'));

      await eventually(() => expect(tries).toHaveLength(5));
      // Retried in place: the broker delivered it once.
      expect(tries).toEqual([1, 1, 1, 1, 1]);
      await eventually(async () =>
        expect(await queueDepth(vhost.vhost, 'payment.commands')).toEqual(EMPTY),
      );
      expect(await transport.queueStats(deadLetterQueueOf('payment.commands'))).toMatchObject({
        messages: 0,
      });
      expect(transport.stats()).toMatchObject({ consumed: 1, requeued: 0, deadLettered: 0 });
    },
  );

  it('handles deliveries concurrently up to the prefetch and acks none before its handler resolves', async () => {
    const transport = await openTransport();
    const release = gate();
    let running = 0;
    const handled = await recordingConsumer(
      transport,
      'payment.commands',
      async () => {
        running++;
        await release.opened;
      },
      4,
    );

    await Promise.all(
      Array.from({ length: 5 }, () => transport.publish(command('payment.commands'))),
    );

    await eventually(() => expect(running).toBe(4));
    await eventually(async () =>
      expect(await queueDepth(vhost.vhost, 'payment.commands')).toEqual({
        ready: 1,
        unacked: 4,
        total: 5,
      }),
    );
    release.open();
    await eventually(() => expect(handled).toHaveLength(5));
    await eventually(async () =>
      expect(await queueDepth(vhost.vhost, 'payment.commands')).toEqual(EMPTY),
    );
  });

  it('re-attaches the consumer and publishes again after the broker closes the connection', async () => {
    const transport = await openTransport({ connectionName: 'reconnecting' });
    const handled = await recordingConsumer(transport, 'replies');
    await transport.publish(command('replies'));
    await eventually(() => expect(handled).toHaveLength(1));
    const [before] = await listConnections(vhost.vhost);

    await closeVhostConnections(vhost.vhost);

    await eventually(async () => {
      const connections = await listConnections(vhost.vhost);
      expect(connections).toHaveLength(1);
      expect(connections[0]).toMatchObject({ name: 'reconnecting' });
      expect(connections[0].peerPort).not.toBe(before.peerPort);
    });
    await eventually(() => expect(transport.isConnected()).toBe(true));
    await eventually(async () =>
      expect(await transport.queueStats('replies')).toMatchObject({ consumers: 1 }),
    );
    const after = command('replies');
    await transport.publish(after);
    await eventually(() => expect(handled.map((m) => m.messageId)).toContain(after.messageId));
  });

  it('rejects a publish the broker cannot route instead of losing it', async () => {
    const transport = await openTransport();
    await transport.declareQueue({ name: 'vanishing' });
    await withRawChannel(vhost.url, (channel) => channel.deleteQueue('vanishing'));

    await expect(transport.publish(command('vanishing'))).rejects.toThrow(/no queue vanishing/);
    expect(transport.stats().published).toBe(0);
  });

  it('re-attaches the consumer after its queue was deleted under it', async () => {
    const transport = await openTransport();
    const handled = await recordingConsumer(transport, 'orders');
    await withRawChannel(vhost.url, (channel) => channel.deleteQueue('orders'));

    await eventually(async () =>
      expect(await transport.queueStats('orders')).toMatchObject({ consumers: 1 }),
    );
    const message = command('orders');
    await transport.publish(message);

    await eventually(() => expect(handled.map((m) => m.messageId)).toEqual([message.messageId]));
  });

  it('keeps publishing after the broker refused a declaration', async () => {
    const transport = await openTransport();
    const handled = await recordingConsumer(transport, 'orders');
    await withRawChannel(vhost.url, (channel) => channel.assertQueue('classic', { durable: true }));

    await expect(transport.declareQueue({ name: 'classic' })).rejects.toThrow(
      /PRECONDITION_FAILED/,
    );
    const message = command('orders');
    await transport.publish(message);

    await eventually(() => expect(handled.map((m) => m.messageId)).toEqual([message.messageId]));
  });

  it('binds a queue to a topic exchange so published events reach it', async () => {
    const transport = await openTransport();
    await transport.declareExchange('trip.events');
    const handled = await recordingConsumer(transport, 'hotel.events');
    await transport.declareQueue({
      name: 'hotel.events',
      bindings: [{ exchange: 'trip.events', routingKey: 'flight.*' }],
    });

    const event = command('flight.reserved', { exchange: 'trip.events', type: 'flight.reserved' });
    await transport.publish(event);

    await eventually(() => expect(handled.map((m) => m.messageId)).toEqual([event.messageId]));
  });

  it('rejects an event no queue is bound for instead of confirming it, and keeps the channel', async () => {
    const transport = await openTransport();
    await transport.declareExchange('trip.events');
    const handled = await recordingConsumer(transport, 'hotel.events');
    await transport.declareQueue({
      name: 'hotel.events',
      bindings: [{ exchange: 'trip.events', routingKey: 'flight.*' }],
    });

    const unbound = command('hotel.reserved', { exchange: 'trip.events', type: 'hotel.reserved' });
    await expect(transport.publish(unbound)).rejects.toThrow(
      /no queue bound to trip.events for hotel.reserved/,
    );
    const bound = command('flight.reserved', { exchange: 'trip.events', type: 'flight.reserved' });
    await transport.publish(bound);

    await eventually(() => expect(handled.map((m) => m.messageId)).toEqual([bound.messageId]));
    expect(transport.stats()).toMatchObject({ published: 1, disconnects: 0 });
  });

  it('sets TCP_NODELAY on the socket of its connection', async () => {
    const setNoDelay = jest.spyOn(Socket.prototype, 'setNoDelay');
    try {
      await openTransport({ connectionName: 'no-delay' });
      const noDelaySockets = setNoDelay.mock.calls
        .map((args, i) => ({ enabled: args[0], socket: setNoDelay.mock.contexts[i] as Socket }))
        .filter(({ enabled }) => enabled === true)
        .map(({ socket }) => socket.localPort);
      const [connection] = await listConnections(vhost.vhost);
      expect(connection.name).toBe('no-delay');
      expect(noDelaySockets).toContain(connection.peerPort);
    } finally {
      setNoDelay.mockRestore();
    }
  });

  it('fails init with the broker error when it cannot connect', async () => {
    const transport = new RabbitMqTransport({
      url: `amqp://guest:guest@127.0.0.1:5672/${vhost.vhost}_missing`,
      connectTimeoutMs: 1_500,
    });
    await expect(transport.init()).rejects.toThrow(/Cannot connect to RabbitMQ at .*_missing/);
    expect(transport.isConnected()).toBe(false);
  });
});
