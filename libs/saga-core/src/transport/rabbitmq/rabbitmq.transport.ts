import { NO_FAULTS } from '../../model/fault-hooks';
import { Logger } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { deadLettersCounter } from '../dead-letter-metrics';
import { OutgoingMessage } from '../message-envelope';
import {
  DEFAULT_DELIVERY_LIMIT,
  MessageHandler,
  MessageTransport,
  QueueSpec,
} from '../message-transport';
import { UnroutableMessageError } from '../unroutable-message.error';
import { DeadLetterCopy } from './dead-letter-copy';
import {
  createConnectionManager,
  describeError,
  redactUrl,
  withTimeout,
} from './rabbitmq-connection';
import { RabbitMqConsumer, TransportCounters } from './rabbitmq-consumer';
import { RabbitMqPublisher } from './rabbitmq-publisher';
import { ChannelSource, RabbitMqTopology } from './rabbitmq-topology';
import { writeFramesTogether } from './frames-together';
import { RabbitMqTransportOptions } from './rabbitmq-transport.options';

/** How long close() lets running handlers finish so their acks still go out. */
const DRAIN_ON_CLOSE_MS = 5_000;
/** A channel the broker closed is only restored by a reconnect; this spaces those out. */
const CHANNEL_RECOVERY_DELAY_MS = 1_000;
/** Server-named and exclusive queues: never the destination of a durable message. */
const RESERVED_QUEUE_PREFIX = 'amq.';

/**
 * The transport over RabbitMQ, through amqp-connection-manager: one connection, one confirm
 * channel for publishing, one channel per consumer, and a throwaway channel for each
 * declaration. Every channel's setup runs again on reconnect, so declarations are replayed and
 * consumers re-attach themselves. The publishing channel only ever publishes, always
 * `mandatory`: a message the broker cannot route comes back as an error to its publisher, and
 * nothing a message names is ever declared, so no message can close that channel.
 */
export class RabbitMqTransport extends MessageTransport {
  private readonly logger = new Logger(RabbitMqTransport.name);
  private readonly topology: RabbitMqTopology;
  private readonly counters: TransportCounters = {
    published: 0,
    consumed: 0,
    deadLettered: 0,
    requeued: 0,
    disconnects: 0,
  };
  private readonly consumers = new Set<RabbitMqConsumer>();
  private manager?: AmqpConnectionManager;
  private publisher?: RabbitMqPublisher;
  private recoveryTimer?: NodeJS.Timeout;
  private starting?: Promise<void>;
  private closing?: Promise<void>;

  constructor(private readonly options: RabbitMqTransportOptions) {
    super();
    this.topology = new RabbitMqTopology(options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT);
  }

  /** Connects and waits for the publishing channel; fails with the broker's last error. */
  init(): Promise<void> {
    this.starting ??= this.start().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  private async start(): Promise<void> {
    if (this.closing) throw new Error('RabbitMqTransport is closed');
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    const manager = createConnectionManager(this.options);
    let lastError: unknown;
    manager.on('connectFailed', ({ err }: { err: Error }) => {
      lastError = err;
      if (this.publisher) this.logger.error(`Cannot reach RabbitMQ: ${err.message}`);
    });
    let lost = false;
    manager.on('disconnect', ({ err }: { err?: Error }) => {
      if (this.closing) return;
      lost = true;
      this.counters.disconnects++;
      this.logger.warn(`Lost RabbitMQ: ${err?.message ?? 'closed'}; reconnecting`);
    });
    manager.on('connect', ({ connection }: { connection: unknown }) => {
      writeFramesTogether(connection);
      if (lost)
        this.logger.log('Reconnected to RabbitMQ; declaring queues and re-attaching consumers');
      lost = false;
    });
    const publisher = new RabbitMqPublisher(manager, {
      publishTimeoutMs: this.options.publishTimeoutMs ?? 30_000,
      setup: () => this.replayTopology(),
      onChannelError: (error) => {
        this.logger.error(`Publishing channel failed: ${describeError(error)}`);
        this.recoverChannel('publishing');
      },
      onSetupError: (error) => {
        lastError = error;
        this.logger.error(`Publishing channel setup failed: ${describeError(error)}`);
      },
    });
    this.manager = manager;
    try {
      await withTimeout(
        manager.connect({ timeout: timeoutMs }).then(() => publisher.waitForConnect()),
        timeoutMs,
      );
    } catch (error) {
      this.manager = undefined;
      await manager.close().catch(() => undefined);
      const where = `${redactUrl(this.options.url)} within ${timeoutMs} ms`;
      throw new Error(
        `Cannot connect to RabbitMQ at ${where}: ${describeError(lastError ?? error)}`,
      );
    }
    this.publisher = publisher;
  }

  isConnected(): boolean {
    return this.manager?.isConnected() ?? false;
  }

  /**
   * Resolves once the broker confirmed the message; rejects if it could not be routed: no
   * such queue, no queue bound for an event, no such exchange, or a reserved queue name.
   */
  async publish(message: OutgoingMessage): Promise<void> {
    const publisher = this.requirePublisher();
    const { exchange, routingKey } = message;
    const what = `${message.type} ${message.messageId}`;
    if (exchange === '' && routingKey.startsWith(RESERVED_QUEUE_PREFIX)) {
      throw new UnroutableMessageError(`Refusing ${what}: ${routingKey} is a reserved queue name`);
    }
    // A publish to a missing exchange would close the channel; a missing queue is a return.
    if (exchange !== '') {
      try {
        await this.topology.requireExchange(this.channels(), exchange);
      } catch (error) {
        throw new UnroutableMessageError(`Cannot publish ${what}: ${describeError(error)}`);
      }
    }
    await publisher.publish(
      exchange,
      routingKey,
      Buffer.from(JSON.stringify(message.body)),
      {
        persistent: true,
        contentType: 'application/json',
        messageId: message.messageId,
        type: message.type,
        headers: message.headers ?? {},
        timestamp: Math.floor(Date.now() / 1000),
      },
      what,
    );
    this.counters.published++;
  }

  /** Declares the queue, its dead-letter queue and its bindings; replayed on every reconnect. */
  async declareQueue(queue: QueueSpec): Promise<void> {
    this.requirePublisher();
    await this.topology.declareQueue(this.channels(), queue.name, queue.bindings ?? []);
  }

  async declareExchange(name: string): Promise<void> {
    this.requirePublisher();
    await this.topology.declareExchange(this.channels(), name);
  }

  /** Resolves once the consumer is attached; it re-attaches itself after every reconnect. */
  async consume(queue: QueueSpec, handler: MessageHandler): Promise<void> {
    await this.declareQueue(queue);
    const consumer = new RabbitMqConsumer(queue, handler, {
      manager: this.requireManager(),
      topology: this.topology,
      channels: () => this.channels(),
      publishDeadLetter: (copy) => this.publishDeadLetter(copy),
      counters: this.counters,
      deadLetters: deadLettersCounter(),
      service: this.options.connectionName ?? 'saga',
      faults: this.options.faults ?? NO_FAULTS,
      deliveryLimit: this.options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT,
      logger: this.logger,
      onChannelFailure: (owner) => this.recoverChannel(owner),
    });
    this.consumers.add(consumer);
    try {
      await consumer.start();
    } catch (error) {
      this.consumers.delete(consumer);
      await consumer.stop(0);
      throw error;
    }
  }

  override consumedQueues(): string[] {
    return [...this.consumers].map((consumer) => consumer.queue);
  }

  /** Ready messages (not those delivered and unacked) and consumers of a queue. */
  override async queueStats(name: string): Promise<{ messages: number; consumers: number }> {
    const connection = this.manager?.connection;
    if (!connection) throw new Error('RabbitMQ is not connected');
    // A throwaway channel: checking a missing queue closes the channel it is asked on.
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    try {
      const { messageCount, consumerCount } = await channel.checkQueue(name);
      return { messages: messageCount, consumers: consumerCount };
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  stats(): TransportCounters {
    return { ...this.counters };
  }

  /** Stops consumers, lets running handlers ack, then closes channels and connection. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.recoveryTimer);
    await Promise.all([...this.consumers].map((consumer) => consumer.stop(DRAIN_ON_CLOSE_MS)));
    this.consumers.clear();
    await this.manager?.close();
  }

  /** Declares this process's topology again on a new connection, before publishing resumes. */
  private async replayTopology(): Promise<void> {
    const source = this.channels();
    if (!source) return;
    const refused = await this.topology.replay(source);
    for (const problem of refused) {
      this.logger.error(`RabbitMQ refused a declaration after reconnecting: ${problem}`);
    }
  }

  /** A copy of a delivery given up on, to its dead-letter queue, with the reason headers. */
  private async publishDeadLetter(copy: DeadLetterCopy): Promise<void> {
    const what = `the dead letter ${copy.options.messageId}`;
    await this.requirePublisher().publish('', copy.queue, copy.content, copy.options, what);
  }

  /** The current connection, on which declarations open their throwaway channels. */
  private channels(): ChannelSource | undefined {
    return this.manager?.connection;
  }

  /** amqp-connection-manager only recreates channels on reconnect, so force one. */
  private recoverChannel(owner: string): void {
    const connection = this.manager?.connection;
    if (this.closing || this.recoveryTimer || !connection) return;
    this.logger.warn(`Lost the ${owner} channel; reconnecting to restore it`);
    this.recoveryTimer = setTimeout(() => {
      this.recoveryTimer = undefined;
      if (!this.closing && this.manager?.connection === connection) this.manager.reconnect();
    }, CHANNEL_RECOVERY_DELAY_MS);
    this.recoveryTimer.unref();
  }

  private requireManager(): AmqpConnectionManager {
    if (this.closing) throw new Error('RabbitMqTransport is closed');
    if (!this.manager) throw new Error('RabbitMqTransport.init() has not completed');
    return this.manager;
  }

  private requirePublisher(): RabbitMqPublisher {
    this.requireManager();
    if (!this.publisher) throw new Error('RabbitMqTransport.init() has not completed');
    return this.publisher;
  }
}
