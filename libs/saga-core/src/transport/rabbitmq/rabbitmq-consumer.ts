import { Logger } from '@nestjs/common';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { DeadLetterReason } from '../../errors/poison-message.error';
import { FaultHooks, FaultPoint } from '../../model/fault-hooks';
import { failActiveSpan, observeDelivery } from '../../observability/trace-context';
import { DeadLettersCounter, deadLetterReasonOf } from '../dead-letter-metrics';
import { IncomingMessage } from '../message-envelope';
import { MessageHandler, QueueSpec } from '../message-transport';
import { DeadLetterCopy, deadLetterCopyOf } from './dead-letter-copy';
import { isPoisonMessageError, toIncomingMessage } from './incoming-delivery';
import { handleThroughOutage } from './handle-through-outage';
import { describeError } from './rabbitmq-connection';
import { ChannelSource, isBrokerRefusal, RabbitMqTopology } from './rabbitmq-topology';

const DEFAULT_PREFETCH = 32;

/** Running totals for /metrics; shared by the transport and all its consumers. */
export interface TransportCounters {
  published: number;
  /** Handled and acked. */
  consumed: number;
  /** Given up on: poison, or failed on the last delivery the limit allows; see `deadLetter`. */
  deadLettered: number;
  /** Nacked with requeue after a handler failure; the delivery limit bounds them. */
  requeued: number;
  /** Times the broker connection was lost (not closed by this process). */
  disconnects: number;
}

export interface ConsumerContext {
  manager: AmqpConnectionManager;
  topology: RabbitMqTopology;
  /** The current connection, for declarations on throwaway channels. */
  channels(): ChannelSource | undefined;
  /** Publishes a dead letter's copy to its dead-letter queue; resolves once confirmed and routed. */
  publishDeadLetter(copy: DeadLetterCopy): Promise<void>;
  counters: TransportCounters;
  /** `saga_dead_lettered_messages_total`, labelled with `service`. */
  deadLetters: DeadLettersCounter;
  service: string;
  /** Where fault injection plugs in (`FaultPoint.AFTER_COMMIT_BEFORE_ACK`). */
  faults: FaultHooks;
  /** The queues' delivery limit: a failed delivery past it is the broker's to dead-letter. */
  deliveryLimit: number;
  logger: Logger;
  /** A channel died on its own (the connection is up): only a reconnect brings it back. */
  onChannelFailure(reason: string): void;
}

/** One channel's life: a delivery is settled on the channel that delivered it, or not at all. */
interface Session {
  channel: Channel;
  open: boolean;
  consumerTag?: string;
}

type Outcome = 'ack' | 'requeue' | 'reject';

/** One queue's consumer; its setup runs again on every reconnect, so it re-attaches itself. */
export class RabbitMqConsumer {
  private wrapper?: ChannelWrapper;
  private session?: Session;
  private stopping = false;
  private firstAttach?: { resolve(): void; reject(error: unknown): void };
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly spec: QueueSpec,
    private readonly handler: MessageHandler,
    private readonly context: ConsumerContext,
  ) {}

  /** The queue this consumer reads. */
  get queue(): string {
    return this.spec.name;
  }

  /** Resolves once the consumer is attached; rejects if the broker refused the first attempt. */
  start(): Promise<void> {
    const attached = new Promise<void>((resolve, reject) => {
      this.firstAttach = { resolve, reject };
    });
    this.wrapper = this.context.manager.createChannel({
      name: `consume:${this.spec.name}`,
      confirm: false,
      setup: (channel: Channel) => this.attach(channel),
    });
    this.wrapper.on('error', (error: unknown) =>
      this.context.logger.error(
        `Consumer of ${this.spec.name} failed to attach: ${describeError(error)}`,
      ),
    );
    return attached;
  }

  /** Stops new deliveries, lets running handlers finish (bounded), then closes the channel. */
  async stop(drainMs: number): Promise<void> {
    this.stopping = true;
    this.firstAttach?.reject(new Error(`Consumer of ${this.spec.name} stopped before attaching`));
    const session = this.session;
    if (session?.open && session.consumerTag) {
      await session.channel.cancel(session.consumerTag).catch(() => undefined);
    }
    await settledWithin([...this.inFlight], drainMs);
    await this.wrapper?.close().catch(() => undefined);
  }

  private async attach(channel: Channel): Promise<void> {
    const session: Session = { channel, open: true };
    channel.on('close', () => {
      session.open = false;
    });
    channel.on('error', (error: unknown) => {
      this.context.logger.error(
        `Channel of consumer ${this.spec.name} failed: ${describeError(error)}`,
      );
      // A refused first attach is reported to the caller of consume() instead.
      if (!this.stopping && !this.firstAttach) {
        this.context.onChannelFailure(`consumer of ${this.spec.name}`);
      }
    });
    try {
      await this.declareOwnQueue();
      await channel.prefetch(this.spec.prefetch ?? DEFAULT_PREFETCH);
      const { consumerTag } = await channel.consume(this.spec.name, (delivery) =>
        this.onDelivery(session, delivery),
      );
      session.consumerTag = consumerTag;
      this.session = session;
      this.firstAttach?.resolve();
      this.firstAttach = undefined;
    } catch (error) {
      // A connection lost mid-setup is retried on the next connect; a reply code is a refusal.
      if (isBrokerRefusal(error) || this.stopping) {
        this.firstAttach?.reject(error);
        this.firstAttach = undefined;
      }
      throw error;
    }
  }

  /**
   * Declares the queue before consuming it (a fresh broker has none). On a re-attach, a refusal
   * (someone redeclared the queue with other arguments) is logged and the queue consumed as it
   * is: failing the attach would stop consuming, and closing the channel would flap.
   */
  private async declareOwnQueue(): Promise<void> {
    const source = this.context.channels();
    if (!source) throw new Error('RabbitMQ is not connected');
    try {
      await this.context.topology.declareQueueOnce(
        source,
        this.spec.name,
        this.spec.bindings ?? [],
      );
    } catch (error) {
      if (this.firstAttach || !isBrokerRefusal(error)) throw error;
      this.context.logger.error(
        `RabbitMQ refused to declare ${this.spec.name} again; consuming it as it is: ` +
          describeError(error),
      );
    }
  }

  private onDelivery(session: Session, delivery: ConsumeMessage | null): void {
    if (delivery === null) {
      // The broker cancelled us (queue deleted): a fresh connection declares and attaches again.
      if (this.stopping) return;
      this.context.logger.warn(`The broker cancelled the consumer of ${this.spec.name}`);
      this.context.onChannelFailure(`consumer of ${this.spec.name}`);
      return;
    }
    const message = toIncomingMessage(delivery);
    if (!message) {
      const problem = 'not a JSON object with an id';
      this.context.logger.error(`Dead-lettering a message on ${this.spec.name}: ${problem}`);
      this.track(this.deadLetter(session, delivery, DeadLetterReason.UNREADABLE, problem));
      return;
    }
    const { name } = this.spec;
    this.track(
      observeDelivery(message, name, this.context.service, () =>
        this.handle(session, delivery, message),
      ),
    );
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Never rejects. Acks only after the handler resolved: it commits its effects first. */
  private async handle(session: Session, delivery: ConsumeMessage, message: IncomingMessage) {
    try {
      await handleThroughOutage(() => this.handler(message), {
        stillHeld: () => session.open && !this.stopping,
        onHold: (error) =>
          this.context.logger.warn(
            `Holding ${message.type} ${message.messageId} from ${this.spec.name} until its ` +
              `handler can run: ${describeError(error)}`,
          ),
      });
    } catch (error) {
      failActiveSpan(error);
      const poison = isPoisonMessageError(error);
      this.context.logger.error(
        `${poison ? 'Dead-lettering' : 'Returning'} ${message.type} ${message.messageId} ` +
          `from ${this.spec.name} (delivery ${message.deliveryCount}): ${describeError(error)}`,
      );
      const reason = poison
        ? deadLetterReasonOf(error)
        : message.deliveryCount > this.context.deliveryLimit
          ? DeadLetterReason.DELIVERY_LIMIT
          : null;
      if (reason) await this.deadLetter(session, delivery, reason, describeError(error));
      else this.settle(session, delivery, 'requeue');
      return;
    }
    this.context.faults.reach(FaultPoint.AFTER_COMMIT_BEFORE_ACK);
    this.settle(session, delivery, 'ack');
  }

  /**
   * Gives up on a delivery with its reason: a copy carrying the reason headers goes to the
   * queue's dead-letter queue, confirmed, and only then is the original acked. Should that
   * publish fail, the original is handed to the broker's own dead-lettering instead (without
   * the headers; `x-death` then says why). Nothing is lost either way; a channel lost between
   * the copy's confirm and the ack redelivers the original, which may then be copied twice.
   */
  private async deadLetter(
    session: Session,
    delivery: ConsumeMessage,
    reason: DeadLetterReason,
    error: string,
  ): Promise<void> {
    // A closed channel already handed the message back: its redelivery is dead-lettered then.
    if (!session.open) return;
    let copied = false;
    try {
      await this.context.publishDeadLetter(
        deadLetterCopyOf(delivery, this.spec.name, reason, error),
      );
      copied = true;
    } catch (publishError) {
      this.context.logger.error(
        `Could not copy a dead letter to ${this.spec.name}'s dead-letter queue; handing it to ` +
          `the broker's dead-lettering: ${describeError(publishError)}`,
      );
    }
    // Past the limit, a plain return lets the broker dead-letter it with its count intact.
    const fallback = reason === DeadLetterReason.DELIVERY_LIMIT ? 'requeue' : 'reject';
    if (!this.settle(session, delivery, copied ? 'ack' : fallback, true)) return;
    this.context.counters.deadLettered++;
    const { deadLetters, service } = this.context;
    deadLetters.inc({ service, queue: this.spec.name, reason });
  }

  /** Settles on the delivering channel; false if it is closed (the broker redelivers). */
  private settle(
    session: Session,
    delivery: ConsumeMessage,
    outcome: Outcome,
    givingUp = false,
  ): boolean {
    if (!session.open) return false;
    const counters = this.context.counters;
    try {
      if (outcome === 'ack') session.channel.ack(delivery);
      else session.channel.nack(delivery, false, outcome === 'requeue');
      if (givingUp) return true;
      if (outcome === 'ack') counters.consumed++;
      else counters.requeued++;
      return true;
    } catch (error) {
      this.context.logger.error(
        `Could not ${outcome} on ${this.spec.name}: ${describeError(error)}`,
      );
      return false;
    }
  }
}

async function settledWithin(work: Promise<unknown>[], ms: number): Promise<void> {
  if (work.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.allSettled(work), deadline]);
  clearTimeout(timer);
}
