import { PoisonMessageError } from '../errors/poison-message.error';
import { IncomingMessage } from '../transport/message-envelope';
import { deadLetterQueueOf } from '../transport/message-transport';
import { InMemoryTransport, topicMatches } from './in-memory.transport';

/** Lets the broker's deliveries run until it has nothing waiting or in hand. */
async function settled(transport: InMemoryTransport): Promise<void> {
  do await new Promise((resolve) => setImmediate(resolve));
  while (!transport.isIdle());
}

function command(queue: string, messageId: string) {
  return { messageId, exchange: '', routingKey: queue, type: 'c.do', body: { messageId } };
}

describe('InMemoryTransport', () => {
  it('matches topics as RabbitMQ does', () => {
    expect(topicMatches('trip.*.reserved', 'trip.flight.reserved')).toBe(true);
    expect(topicMatches('trip.*', 'trip.flight.reserved')).toBe(false);
    expect(topicMatches('trip.#', 'trip')).toBe(true);
    expect(topicMatches('#.reserved', 'trip.hotel.reserved')).toBe(true);
    expect(topicMatches('trip.#.failed', 'trip.failed')).toBe(true);
    expect(topicMatches('trip.flight', 'trip.hotel')).toBe(false);
  });

  it('dead-letters a poison message at once, to the queue beside its own', async () => {
    const transport = new InMemoryTransport();
    const seen: IncomingMessage[] = [];
    await transport.consume({ name: 'q' }, async (message) => {
      seen.push(message);
      throw new PoisonMessageError('unreadable');
    });

    await transport.publish(command('q', 'm-1'));
    await settled(transport);

    expect(seen).toHaveLength(1);
    expect(transport.waiting(deadLetterQueueOf('q')).map((m) => m.messageId)).toEqual(['m-1']);
    expect(await transport.queueStats(deadLetterQueueOf('q'))).toEqual({
      messages: 1,
      consumers: 0,
    });
  });

  it('redelivers a failing message up to the delivery limit, then dead-letters it', async () => {
    const transport = new InMemoryTransport({ deliveryLimit: 2 });
    const counts: number[] = [];
    await transport.consume({ name: 'q' }, async (message) => {
      counts.push(message.deliveryCount);
      throw new Error('down');
    });

    await transport.publish(command('q', 'm-1'));
    await settled(transport);

    expect(counts).toEqual([1, 2, 3]);
    expect(transport.deadLetters).toMatchObject([{ queue: 'q', error: 'down' }]);
  });

  it('keeps messages for a queue no one consumes, and refuses publishes while disconnected', async () => {
    const transport = new InMemoryTransport();
    await transport.declareQueue({ name: 'idle' });
    await transport.publish(command('idle', 'm-1'));
    expect(transport.waiting('idle')).toHaveLength(1);
    expect(transport.isIdle()).toBe(true);

    transport.setConnected(false);
    await expect(transport.publish(command('idle', 'm-2'))).rejects.toThrow('disconnected');
    expect(transport.isConnected()).toBe(false);
  });
});
