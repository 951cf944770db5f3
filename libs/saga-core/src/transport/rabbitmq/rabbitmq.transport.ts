import { Logger } from '@nestjs/common';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, Message } from 'amqplib';
import { deadLettersCounter } from '../dead-letter-metrics';
import { OutgoingMessage } from '../message-envelope';
import {
  DEFAULT_DELIVERY_LIMIT,
  MessageHandler,
  MessageTransport,
  QueueSpec,
} from '../message-transport';
import {
  createConnectionManager,
  describeError,
  redactUrl,
  withTimeout,
} from './rabbitmq-connection';
import { RabbitMqConsumer, TransportCounters } from './rabbitmq-consumer';
import { RabbitMqTopology } from './rabbitmq-topology';
import { RabbitMqTransportOptions } from './rabbitmq-transport.options';

/** How long close() lets running handlers finish so their acks still go out. */
const DRAIN_ON_CLOSE_MS = 5_000;
/** A channel the broker closed is only restored by a reconnect; this spaces those out. */
const CHANNEL_RECOVERY_DELAY_MS = 1_000;

/**
 * The transport over RabbitMQ, through amqp-connection-manager: one connection, one confirm
 * channel for publishing (and declaring), one channel per consumer. Every channel's setup runs
 * again on reconnect, so declarations are replayed and consumers re-attach themselves.
 */
export class RabbitMqTransport extends MessageTransport {
  private readonly logger = new Logger(RabbitMqTransport.name);
  private readonly topology: RabbitMqTopology;
  private readonly counters: TransportCounters = {
    published: 0,
    consumed: 0,
    deadLettered: 0,
    requeued: 0,
  };
  private readonly consumers = new Set<RabbitMqConsumer>();
  /** Message ids the broker returned as unroutable; their confirm follows the return. */
  private readonly returned = new Map<string, number>();
  private manager?: AmqpConnectionManager;
  private publisher?: ChannelWrapper;
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
      this.logger.warn(`Lost RabbitMQ: ${err?.message ?? 'closed'}; reconnecting`);
    });
    manager.on('connect', () => {
      if (lost)
        this.logger.log('Reconnected to RabbitMQ; declaring queues and re-attaching consumers');
      lost = false;
    });
    const publisher = manager.createChannel({
      name: 'publish',
      confirm: true,
      publishTimeout: this.options.publishTimeoutMs ?? 30_000,
      setup: (channel: ConfirmChannel) => this.preparePublisher(channel),
    });
    publisher.on('error', (error: unknown) => {
      lastError = error;
      this.logger.error(`Publishing channel setup failed: ${describeError(error)}`);
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

  /** Resolves once the broker confirmed the message; rejects if it could not be routed. */
  async publish(message: OutgoingMessage): Promise<void> {
    const publisher = this.requirePublisher();
    const toQueue = message.exchange === '';
    // The default exchange routes by queue name: a queue that does not exist drops the message.
    if (toQueue) await this.topology.ensureQueue(publisher, message.routingKey);
    else await this.topology.ensureExchange(publisher, message.exchange);
    const content = Buffer.from(JSON.stringify(message.body));
    try {
      await publisher.publish(message.exchange, message.routingKey, content, {
        persistent: true,
        contentType: 'application/json',
        messageId: message.messageId,
        type: message.type,
        headers: message.headers ?? {},
        timestamp: Math.floor(Date.now() / 1000),
        // Only for queues: an event that no one subscribes to is not an error.
        mandatory: toQueue,
      });
    } catch (error) {
      this.takeReturned(message.messageId);
      throw error;
    }
    if (this.takeReturned(message.messageId)) {
      throw new Error(
        `RabbitMQ returned ${message.type} ${message.messageId}: no queue ${message.routingKey}`,
      );
    }
    this.counters.published++;
  }

  async declareQueue(queue: QueueSpec): Promise<void> {
    await this.topology.declareQueue(this.requirePublisher(), queue.name, queue.bindings ?? []);
  }

  async declareExchange(name: string): Promise<void> {
    await this.topology.ensureExchange(this.requirePublisher(), name);
  }

  /** Resolves once the consumer is attached; it re-attaches itself after every reconnect. */
  async consume(queue: QueueSpec, handler: MessageHandler): Promise<void> {
    await this.declareQueue(queue);
    const consumer = new RabbitMqConsumer(queue, handler, {
      manager: this.requireManager(),
      topology: this.topology,
      counters: this.counters,
      deadLetters: deadLettersCounter(),
      service: this.options.connectionName ?? 'saga',
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

  private async preparePublisher(channel: ConfirmChannel): Promise<void> {
    channel.on('error', (error: unknown) => {
      this.logger.error(`Publishing channel failed: ${describeError(error)}`);
      this.recoverChannel('publishing');
    });
    channel.on('return', (returned: Message) => {
      const id: unknown = returned.properties.messageId;
      if (typeof id === 'string') this.returned.set(id, (this.returned.get(id) ?? 0) + 1);
    });
    await this.topology.replay(channel);
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

  private takeReturned(messageId: string): boolean {
    const count = this.returned.get(messageId);
    if (!count) return false;
    if (count === 1) this.returned.delete(messageId);
    else this.returned.set(messageId, count - 1);
    return true;
  }

  private requireManager(): AmqpConnectionManager {
    if (this.closing) throw new Error('RabbitMqTransport is closed');
    if (!this.manager) throw new Error('RabbitMqTransport.init() has not completed');
    return this.manager;
  }

  private requirePublisher(): ChannelWrapper {
    this.requireManager();
    if (!this.publisher) throw new Error('RabbitMqTransport.init() has not completed');
    return this.publisher;
  }
}
