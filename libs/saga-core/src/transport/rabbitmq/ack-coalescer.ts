import type { Channel, ConsumeMessage } from 'amqplib';

/** What the coalescer needs of the channel and of the process. */
export interface AckCoalescerDeps {
  channel: Pick<Channel, 'ack'>;
  /** False once the channel closed: the broker hands back what it did not see acked. */
  isOpen(): boolean;
  /** A settle the channel refused (it closed meanwhile). */
  onError(error: unknown): void;
  /** Runs the flush after the current turn; `setImmediate` unless a test drives it. */
  schedule?: (flush: () => void) => void;
}

/**
 * The acks of one channel, gathered over a turn of the event loop. Those sent in one turn go
 * out as one `basic.ack` with `multiple` for the longest run of the channel's oldest unsettled
 * deliveries that are all acked, and one `basic.ack` each for the rest: an ack never covers a
 * delivery still being handled. Deliveries nacked or rejected leave the run at once
 * (`settledApart`). A consumer whose handlers finish together (a group commit, a batch of
 * transitions) then sends one frame for them and the broker settles them in one go; a lone
 * delivery is acked one turn later than before, and nothing waits for that.
 */
export class AckCoalescer {
  /** Delivered and not yet settled, in delivery order (a channel's tags only grow). */
  private readonly unsettled = new Map<number, ConsumeMessage>();
  private readonly acked = new Map<number, ConsumeMessage>();
  private scheduled = false;
  private readonly schedule: (flush: () => void) => void;

  constructor(private readonly deps: AckCoalescerDeps) {
    this.schedule = deps.schedule ?? ((flush) => setImmediate(flush));
  }

  /** A delivery came on the channel: it is unsettled until acked or settled apart. */
  delivered(delivery: ConsumeMessage): void {
    this.unsettled.set(delivery.fields.deliveryTag, delivery);
  }

  /** Acks the delivery with the others acked in this turn. */
  ack(delivery: ConsumeMessage): void {
    this.acked.set(delivery.fields.deliveryTag, delivery);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  /** The delivery was nacked or rejected on its own: it no longer holds up the run. */
  settledApart(delivery: ConsumeMessage): void {
    this.unsettled.delete(delivery.fields.deliveryTag);
  }

  /** Sends the acks gathered so far. */
  flush(): void {
    this.scheduled = false;
    if (this.acked.size === 0) return;
    const acks: [ConsumeMessage, boolean][] = [];
    let run: ConsumeMessage | null = null;
    for (const [tag, delivery] of this.unsettled) {
      if (!this.acked.has(tag)) break;
      run = delivery;
      this.unsettled.delete(tag);
      this.acked.delete(tag);
    }
    if (run) acks.push([run, true]);
    for (const [tag, delivery] of [...this.acked].sort(([x], [y]) => x - y)) {
      this.unsettled.delete(tag);
      acks.push([delivery, false]);
    }
    this.acked.clear();
    if (!this.deps.isOpen()) return;
    try {
      for (const [delivery, multiple] of acks) this.deps.channel.ack(delivery, multiple);
    } catch (error) {
      this.deps.onError(error);
    }
  }
}
