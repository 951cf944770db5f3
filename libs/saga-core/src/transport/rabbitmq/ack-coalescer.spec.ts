import type { ConsumeMessage } from 'amqplib';
import { AckCoalescer } from './ack-coalescer';

const delivery = (tag: number) => ({ fields: { deliveryTag: tag } }) as ConsumeMessage;

describe('AckCoalescer', () => {
  let sent: [number, boolean][];
  let flushes: (() => void)[];
  let open: boolean;
  let errors: unknown[];
  let acks: AckCoalescer;

  beforeEach(() => {
    sent = [];
    flushes = [];
    open = true;
    errors = [];
    acks = new AckCoalescer({
      channel: {
        ack: (d: ConsumeMessage, multiple?: boolean) =>
          sent.push([d.fields.deliveryTag, !!multiple]),
      },
      isOpen: () => open,
      onError: (error) => errors.push(error),
      schedule: (flush) => flushes.push(flush),
    });
  });

  const deliver = (...tags: number[]) =>
    tags.map((tag) => {
      const d = delivery(tag);
      acks.delivered(d);
      return d;
    });
  const turn = () => flushes.splice(0).forEach((flush) => flush());

  it('acks the oldest deliveries acked in one turn with one multiple ack', () => {
    const [a, b, c] = deliver(1, 2, 3);
    acks.ack(b);
    acks.ack(a);
    acks.ack(c);
    expect(sent).toEqual([]);
    turn();
    expect(sent).toEqual([[3, true]]);
    expect(flushes).toEqual([]);
  });

  it('never covers a delivery still being handled: the ones after it are acked one by one', () => {
    const [, b, c, d] = deliver(1, 2, 3, 4);
    acks.ack(c);
    acks.ack(b);
    acks.ack(d);
    turn();
    expect(sent).toEqual([
      [2, false],
      [3, false],
      [4, false],
    ]);
  });

  it('lets a nacked delivery out of the run, and picks up where the last turn stopped', () => {
    const [a, b, c, d] = deliver(1, 2, 3, 4);
    acks.ack(b);
    turn();
    acks.settledApart(a);
    acks.ack(c);
    acks.ack(d);
    turn();
    expect(sent).toEqual([
      [2, false],
      [4, true],
    ]);
  });

  it('schedules one flush a turn, and none when nothing was acked', () => {
    const [a, b] = deliver(1, 2);
    acks.ack(a);
    acks.ack(b);
    expect(flushes).toHaveLength(1);
    turn();
    acks.flush();
    expect(sent).toEqual([[2, true]]);
  });

  it('acks a delivery it was not told of on its own', () => {
    acks.ack(delivery(7));
    turn();
    expect(sent).toEqual([[7, false]]);
  });

  it('sends nothing on a closed channel, and reports a refused ack', () => {
    const [a, b] = deliver(1, 2);
    acks.ack(a);
    open = false;
    turn();
    expect(sent).toEqual([]);
    open = true;
    acks = new AckCoalescer({
      channel: {
        ack: () => {
          throw new Error('Channel closed');
        },
      },
      isOpen: () => true,
      onError: (error) => errors.push(error),
      schedule: (flush) => flushes.push(flush),
    });
    acks.delivered(b);
    acks.ack(b);
    turn();
    expect(errors).toEqual([new Error('Channel closed')]);
  });
});
