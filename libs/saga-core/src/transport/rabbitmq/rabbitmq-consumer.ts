import { Logger } from '@nestjs/common';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { DeadLetterReason } from '../../errors/poison-message.error';
import { FaultPoint, reachFaultPoint } from '../../faults/fault-point';
import { failActiveSpan, observeDelivery } from '../../observability/trace-context';
import { DeadLettersCounter, deadLetterReasonOf } from '../dead-letter-metrics';
import { IncomingMessage } from '../message-envelope';
import { MessageHandler, QueueSpec } from '../message-transport';
import { isPoisonMessageError, toIncomingMessage } from './incoming-delivery';
import { handleThroughOutage } from './handle-through-outage';
import { describeError } from './rabbitmq-connection';
import { RabbitMqTopology } from './rabbitmq-topology';

const DEFAULT_PREFETCH = 32;

/** Running totals for /metrics; shared by the transport and all its consumers. */
export interface TransportCounters {
  published: number;
  /** Handled and acked. */
  consumed: number;
  /** Nacked without requeue: unparseable or poison; the broker moves them to the dead letters. */
  deadLettered: number;
  /** Nacked with requeue after a handler failure; the delivery limit bounds them. */
  requeued: number;
}

export interface ConsumerContext {
  manager: AmqpConnectionManager;
  topology: RabbitMqTopology;
  counters: TransportCounters;
  /** `saga_dead_lettered_messages_total`, labelled with `service`. */
  deadLetters: DeadLettersCounter;
  service: string;
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

type Outcome = 'ack' | 'requeue' | { deadLetter: DeadLetterReason };

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
      await this.context.topology.declareQueueOn(channel, this.spec.name, this.spec.bindings ?? []);
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
      this.context.logger.error(
        `Dead-lettering a message on ${this.spec.name}: not a JSON object with an id`,
      );
      this.settle(session, delivery, { deadLetter: DeadLetterReason.UNREADABLE });
      return;
    }
    const { name } = this.spec;
    const work = observeDelivery(message, name, this.context.service, () =>
      this.handle(session, delivery, message),
    );
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
      // A return past the delivery limit is dead-lettered by the broker itself.
      const outcome: Outcome = poison
        ? { deadLetter: deadLetterReasonOf(error) }
        : message.deliveryCount > this.context.deliveryLimit
          ? { deadLetter: DeadLetterReason.DELIVERY_LIMIT }
          : 'requeue';
      this.settle(session, delivery, outcome);
      return;
    }
    reachFaultPoint(FaultPoint.AFTER_COMMIT_BEFORE_ACK);
    this.settle(session, delivery, 'ack');
  }

  private settle(session: Session, delivery: ConsumeMessage, outcome: Outcome): void {
    // A closed channel already handed the message back to the broker, which redelivers it.
    if (!session.open) return;
    const counters = this.context.counters;
    try {
      if (outcome === 'ack') {
        session.channel.ack(delivery);
        counters.consumed++;
      } else if (outcome === 'requeue') {
        session.channel.nack(delivery, false, true);
        counters.requeued++;
      } else {
        // Past the limit, a plain return: the broker then dead-letters it, its count intact.
        const byBroker = outcome.deadLetter === DeadLetterReason.DELIVERY_LIMIT;
        session.channel.nack(delivery, false, byBroker);
        if (byBroker) counters.requeued++;
        else counters.deadLettered++;
        this.countDeadLetter(outcome.deadLetter);
      }
    } catch (error) {
      const what = typeof outcome === 'string' ? outcome : 'dead-letter';
      this.context.logger.error(`Could not ${what} on ${this.spec.name}: ${describeError(error)}`);
    }
  }

  private countDeadLetter(reason: DeadLetterReason): void {
    const { deadLetters, service } = this.context;
    deadLetters.inc({ service, queue: this.spec.name, reason });
  }
}

function isBrokerRefusal(error: unknown): boolean {
  return typeof (error as { code?: unknown } | undefined)?.code === 'number';
}

async function settledWithin(work: Promise<unknown>[], ms: number): Promise<void> {
  if (work.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.allSettled(work), deadline]);
  clearTimeout(timer);
}
