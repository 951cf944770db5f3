import { randomUUID } from 'node:crypto';
import { IncomingMessage, OutgoingMessage } from '../transport/message-envelope';
import { MessageTransport } from '../transport/message-transport';
import { UnroutableMessageError } from '../transport/unroutable-message.error';

/** A transport under test, connected, and how to close it. */
export interface TransportUnderTest {
  transport: MessageTransport;
  dispose?(): Promise<void>;
}

/** A queue's deliveries, and a way to wait until it has seen `n` of them. */
class Deliveries {
  readonly seen: IncomingMessage[] = [];
  private waiters: { n: number; resolve(): void }[] = [];

  add(message: IncomingMessage): void {
    this.seen.push(message);
    this.waiters = this.waiters.filter((w) =>
      this.seen.length >= w.n ? (w.resolve(), false) : true,
    );
  }

  until(n: number): Promise<IncomingMessage[]> {
    if (this.seen.length >= n) return Promise.resolve(this.seen);
    return new Promise((resolve) => this.waiters.push({ n, resolve: () => resolve(this.seen) }));
  }
}

function outgoing(exchange: string, routingKey: string): OutgoingMessage {
  const messageId = randomUUID();
  return { messageId, exchange, routingKey, type: 'contract.sent', body: { messageId, n: [1, 2] } };
}

/**
 * What every `MessageTransport` adapter must do, as the engine and the participants lean on
 * it: the default exchange routes by queue name, a topic exchange by binding, a message no
 * queue would take is refused (its outbox row then stays unsent), a handler that throws gets
 * its message again, and one that resolves acks it. Each test uses queues of its own.
 */
export function messageTransportContract(
  name: string,
  setup: () => Promise<TransportUnderTest>,
): void {
  describe(`${name} keeps the MessageTransport contract`, () => {
    let subject: TransportUnderTest;
    const transport = () => subject.transport;

    beforeAll(async () => {
      subject = await setup();
    });
    afterAll(() => subject?.dispose?.());

    const unique = (what: string) => `contract.${what}.${randomUUID()}`;
    const consumed = async (queue: string, handle?: (m: IncomingMessage) => Promise<void>) => {
      const deliveries = new Deliveries();
      await transport().declareQueue({ name: queue });
      await transport().consume({ name: queue, prefetch: 1 }, async (message) => {
        deliveries.add(message);
        await handle?.(message);
      });
      return deliveries;
    };

    it('routes by queue name on the default exchange, and delivers the message as sent', async () => {
      const queue = unique('direct');
      const deliveries = await consumed(queue);
      const message = outgoing('', queue);

      await transport().publish(message);

      const [delivered] = await deliveries.until(1);
      expect(delivered).toMatchObject({
        messageId: message.messageId,
        type: message.type,
        body: message.body,
        deliveryCount: 1,
        redelivered: false,
      });
    });

    it('routes by binding on a topic exchange, wildcards included', async () => {
      const exchange = unique('events');
      await transport().declareExchange(exchange);
      const bound = async (keys: string[]) => {
        const queue = unique('bound');
        const bindings = keys.map((routingKey) => ({ exchange, routingKey }));
        await transport().declareQueue({ name: queue, bindings });
        const deliveries = new Deliveries();
        await transport().consume({ name: queue, bindings, prefetch: 1 }, async (m) =>
          deliveries.add(m),
        );
        return deliveries;
      };
      const a = await bound(['a.created', 'both']);
      const b = await bound(['b.#', 'both']);

      await transport().publish(outgoing(exchange, 'a.created'));
      await transport().publish(outgoing(exchange, 'b.x.y'));
      // Last in each queue: once both have it, each queue had all it would get.
      await transport().publish(outgoing(exchange, 'both'));

      const keysOf = async (d: Deliveries) =>
        (await d.until(2)).map((m) => (m.body as { messageId: string }).messageId);
      expect(await keysOf(a)).toHaveLength(2);
      expect(await keysOf(b)).toHaveLength(2);
      expect(a.seen.length + b.seen.length).toBe(4);
    });

    it('refuses a message no queue would take', async () => {
      await expect(transport().publish(outgoing('', unique('missing')))).rejects.toBeInstanceOf(
        UnroutableMessageError,
      );
      const exchange = unique('unbound');
      await transport().declareExchange(exchange);
      await expect(
        transport().publish(outgoing(exchange, 'nobody.listens')),
      ).rejects.toBeInstanceOf(UnroutableMessageError);
    });

    it('delivers again the message of a handler that throws, and not once it resolved', async () => {
      const queue = unique('retried');
      let failures = 1;
      const deliveries = await consumed(queue, async (message) => {
        if (message.type === 'contract.sent' && failures-- > 0) throw new Error('not yet');
      });
      const message = outgoing('', queue);

      await transport().publish(message);
      const [first, second] = await deliveries.until(2);
      await transport().publish({ ...outgoing('', queue), type: 'contract.last' });
      const all = await deliveries.until(3);

      expect([first.messageId, second.messageId]).toEqual([message.messageId, message.messageId]);
      expect(second.redelivered || second.deliveryCount > 1).toBe(true);
      expect(all.map((m) => m.type)).toEqual(['contract.sent', 'contract.sent', 'contract.last']);
    });
  });
}
