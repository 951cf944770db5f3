import { connect, type ChannelModel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { QueueNotFoundError } from '@app/saga-core/errors/queue-not-found.error';
import { deadLetterQueueOf } from '@app/saga-core/transport/message-transport';
import { RabbitMqDeadLetters } from '@app/saga-core/transport/rabbitmq/rabbitmq-dead-letters';
import { RabbitMqTransport } from '@app/saga-core/transport/rabbitmq/rabbitmq.transport';
import { createTestVhost, queueDepth, TestVhost } from '../support/rabbitmq-vhost';
import { eventually, waitFor } from '../support/wait-for';

describe('RabbitMqDeadLetters (RabbitMQ)', () => {
  let vhost: TestVhost;
  let transport: RabbitMqTransport;
  let amqp: ChannelModel;
  let deadLetters: RabbitMqDeadLetters;

  beforeAll(async () => {
    vhost = await createTestVhost();
    transport = new RabbitMqTransport({ url: vhost.url, connectionName: 'dead-letters-test' });
    await transport.init();
    amqp = await connect(vhost.url);
    deadLetters = new RabbitMqDeadLetters(vhost.url);
  });

  afterAll(async () => {
    await deadLetters?.close();
    await amqp?.close();
    await transport?.close();
    await vhost?.dispose();
  });

  it('reads dead letters of both origins, counts their reasons, and leaves them in place', async () => {
    const queue = `work-${randomUUID()}`;
    await transport.declareQueue({ name: queue });
    const channel = await amqp.createConfirmChannel();
    const copy = randomUUID();
    channel.sendToQueue(deadLetterQueueOf(queue), Buffer.from(JSON.stringify({ sagaId: 's-1' })), {
      messageId: copy,
      type: 'hotel.reserve',
      persistent: true,
      headers: {
        'x-saga-dead-letter-reason': 'delivery-limit',
        'x-saga-dead-letter-error': 'the handler kept failing',
        'x-saga-dead-lettered-from': queue,
      },
    });
    const rejected = randomUUID();
    channel.sendToQueue(queue, Buffer.from('{not json'), { messageId: rejected, persistent: true });
    await channel.waitForConfirms();
    await rejectOne(queue);

    const state = await waitFor(
      async () => {
        const seen = await deadLetters.inspect(queue, 10);
        return seen.depth === 2 ? seen : undefined;
      },
      { what: 'both dead letters' },
    );
    expect(state.reasons).toEqual({ 'delivery-limit': 1, rejected: 1 });
    expect(state.messages).toEqual([
      expect.objectContaining({
        messageId: copy,
        type: 'hotel.reserve',
        sagaId: 's-1',
        reason: 'delivery-limit',
        error: 'the handler kept failing',
        from: queue,
      }),
      expect.objectContaining({
        messageId: rejected,
        reason: 'rejected',
        from: queue,
        body: '{not json',
      }),
    ]);
    // Read, not taken: once the reading channel's deliveries are back, both are still there.
    await waitFor(
      async () => ((await deadLetters.inspect(queue, 0)).depth === 2 ? true : undefined),
      { what: 'both dead letters back in their queue after being read' },
    );
    await channel.close();
  });

  it('moves a chosen dead letter back to its queue, confirmed, and leaves the others', async () => {
    const queue = `work-${randomUUID()}`;
    await transport.declareQueue({ name: queue });
    const ids = await deadLetter(queue, 3);

    const moved = await deadLetters.moveBack(queue, {
      messageIds: [ids[1]],
      limit: 100,
      movedBy: 'alice',
    });
    expect(moved.map((m) => m.messageId)).toEqual([ids[1]]);
    const channel = await amqp.createChannel();
    const back = await channel.get(queue, { noAck: true });
    expect(back && back.properties.messageId).toBe(ids[1]);
    expect(back && back.properties.headers).toMatchObject({ 'x-saga-moved-back-by': 'alice' });
    expect(back && back.properties.headers?.['x-death']).toBeUndefined();
    expect(back && JSON.parse(back.content.toString())).toEqual({ sagaId: `saga-${ids[1]}` });
    await channel.close();
    // A message looked at and handed back may return behind the others: order is not kept.
    const left = (await deadLetters.inspect(queue, 10)).messages.map((m) => m.messageId);
    expect(left.sort()).toEqual([ids[0], ids[2]].sort());

    const rest = await deadLetters.moveBack(queue, { limit: 100, movedBy: 'alice' });
    expect(rest.map((m) => m.messageId).sort()).toEqual([ids[0], ids[2]].sort());
    await eventually(async () => {
      expect(await queueDepth(vhost.vhost, deadLetterQueueOf(queue))).toMatchObject({ total: 0 });
      expect(await queueDepth(vhost.vhost, queue)).toMatchObject({ ready: 2 });
    });
  });

  it('keeps the dead letter when its queue is gone, and reports a queue it does not have', async () => {
    const queue = `work-${randomUUID()}`;
    await transport.declareQueue({ name: queue });
    await deadLetter(queue, 1);
    const channel = await amqp.createChannel();
    await channel.deleteQueue(queue);
    await channel.close();

    await expect(deadLetters.moveBack(queue, { limit: 10, movedBy: 'alice' })).rejects.toThrow(
      QueueNotFoundError,
    );
    expect((await deadLetters.inspect(queue, 10)).depth).toBe(1);
    expect(await deadLetters.inspect(`missing-${randomUUID()}`, 10)).toMatchObject({
      depth: null,
      messages: [],
    });
  });

  it('keeps the dead letter when the broker refuses its copy in the work queue', async () => {
    const queue = `work-${randomUUID()}`;
    await transport.declareQueue({ name: queue });
    const [id] = await deadLetter(queue, 1);
    // The work queue now takes nothing: the broker nacks every publish to it.
    const channel = await amqp.createChannel();
    await channel.deleteQueue(queue);
    await channel.assertQueue(queue, {
      durable: true,
      arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' },
    });
    await channel.close();

    await expect(deadLetters.moveBack(queue, { limit: 10, movedBy: 'alice' })).rejects.toThrow();
    const left = await deadLetters.inspect(queue, 10);
    expect(left.messages.map((m) => m.messageId)).toEqual([id]);
    expect(await readyIn(queue)).toBe(0);
  });

  it('dead-letters a message the broker handed out past its delivery limit, never settled', async () => {
    const queue = `work-${randomUUID()}`;
    const limited = new RabbitMqTransport({
      url: vhost.url,
      connectionName: 'delivery-limit-test',
      deliveryLimit: 2,
    });
    await limited.init();
    await limited.declareQueue({ name: queue });
    const publisher = await amqp.createConfirmChannel();
    const id = randomUUID();
    publisher.sendToQueue(queue, Buffer.from('{}'), { messageId: id, persistent: true });
    await publisher.waitForConfirms();
    await publisher.close();

    // Each time, the process holding the message dies before it settles it (a crash loop):
    // no consumer ever counts it, so only the queue's own limit can stop the loop.
    const deliveries: number[] = [];
    while (deliveries.length <= 10) {
      const where = await waitFor(
        async () => {
          if ((await readyIn(queue)) === 1) return 'work queue';
          return (await readyIn(deadLetterQueueOf(queue))) === 1 ? 'dead letters' : undefined;
        },
        { what: 'the message back in a queue' },
      );
      if (where === 'dead letters') break;
      const channel = await amqp.createChannel();
      const message = await channel.get(queue, { noAck: false });
      if (message) deliveries.push(Number(message.properties.headers?.['x-delivery-count'] ?? 0));
      await channel.close();
    }
    await limited.close();

    expect(deliveries).toEqual([0, 1, 2]);
    expect((await deadLetters.inspect(queue, 10)).messages).toEqual([
      expect.objectContaining({ messageId: id, reason: 'delivery_limit' }),
    ]);
  });

  /** Ready messages in `queue`, from a passive declaration. */
  async function readyIn(queue: string): Promise<number> {
    const channel = await amqp.createChannel();
    const { messageCount } = await channel.checkQueue(queue);
    await channel.close();
    return messageCount;
  }

  /** The broker dead-letters a message its consumer rejects, with an `x-death` record. */
  async function rejectOne(queue: string): Promise<void> {
    const channel = await amqp.createChannel();
    const message = await waitFor(
      async () => (await channel.get(queue, { noAck: false })) || undefined,
      {
        what: 'the message to reject',
      },
    );
    channel.nack(message, false, false);
    await channel.close();
  }

  /** `count` dead letters, as the consumer's copies; their ids in order. */
  async function deadLetter(queue: string, count: number): Promise<string[]> {
    const channel = await amqp.createConfirmChannel();
    const ids = Array.from({ length: count }, () => randomUUID());
    for (const id of ids) {
      channel.sendToQueue(
        deadLetterQueueOf(queue),
        Buffer.from(JSON.stringify({ sagaId: `saga-${id}` })),
        {
          messageId: id,
          persistent: true,
          headers: { 'x-saga-dead-letter-reason': 'invalid', 'x-saga-dead-lettered-from': queue },
        },
      );
    }
    await channel.waitForConfirms();
    await channel.close();
    return ids;
  }
});
