import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { IncomingMessage } from '@app/saga-core/transport/message-envelope';
import { RabbitMqTransport } from '@app/saga-core/transport/rabbitmq/rabbitmq.transport';
import { createTestVhost, TestVhost } from '../support/rabbitmq-vhost';
import { eventually } from '../support/wait-for';
import { writeCalls } from '../support/write-calls';

const BURST = 40;

function bodyOf(i: number) {
  return { messageId: `m-${i}`, type: 'burst', sagaId: 'saga-1', payload: { i } };
}

describe('frames of one turn in one write (RabbitMQ)', () => {
  let vhost: TestVhost;
  let transport: RabbitMqTransport;

  beforeAll(async () => {
    vhost = await createTestVhost();
    transport = new RabbitMqTransport({ url: vhost.url, connectionName: 'frames-together' });
    await transport.init();
  });

  afterAll(async () => {
    await transport?.close();
    await vhost?.dispose();
  });

  it('counts a write per publish on a plain amqplib connection (what the counter sees)', async () => {
    const queue = `plain-${randomUUID()}`;
    const connection = await connect(vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue(queue, { arguments: { 'x-queue-type': 'quorum' } });
      const before = writeCalls();
      for (let i = 0; i < BURST; i++) {
        channel.sendToQueue(queue, Buffer.from(JSON.stringify(bodyOf(i))), { persistent: true });
      }
      await channel.waitForConfirms();
      expect(writeCalls() - before).toBeGreaterThanOrEqual(BURST);
    } finally {
      await connection.close();
    }
  });

  it('publishes a burst of one turn in a few writes, every message once and in order', async () => {
    const queue = `burst-${randomUUID()}`;
    await transport.declareQueue({ name: queue });
    const before = writeCalls();
    await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        transport.publish({
          messageId: `m-${i}`,
          exchange: '',
          routingKey: queue,
          type: 'burst',
          body: bodyOf(i),
        }),
      ),
    );
    const writes = writeCalls() - before;
    expect(writes).toBeLessThanOrEqual(BURST / 4);

    const received: number[] = [];
    await transport.consume({ name: queue, prefetch: BURST }, async (message: IncomingMessage) => {
      received.push((message.body as { payload: { i: number } }).payload.i);
    });
    await eventually(() => expect(received).toHaveLength(BURST));
    expect(received).toEqual(Array.from({ length: BURST }, (_, i) => i));
    // The acks of the burst's deliveries go out together as well, and every one reaches the
    // broker: the queue ends empty.
    await eventually(async () =>
      expect(await transport.queueStats(queue)).toEqual({ messages: 0, consumers: 1 }),
    );
  });
});
