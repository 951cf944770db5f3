import type { Options } from 'amqplib';
import { deadLetterQueueOf } from '../message-transport';
import {
  deadLetterQueueArguments,
  DEAD_LETTER_EXCHANGE,
  workQueueArguments,
} from './queue-arguments';

/** The declaring calls, offered alike by a raw amqplib channel and by a ChannelWrapper. */
export interface TopologyChannel {
  assertExchange(name: string, type: string, options?: Options.AssertExchange): Promise<unknown>;
  assertQueue(name: string, options?: Options.AssertQueue): Promise<unknown>;
  bindQueue(queue: string, exchange: string, routingKey: string): Promise<unknown>;
}

export interface QueueBinding {
  exchange: string;
  routingKey: string;
}

/**
 * What this process declared, so it can be declared again on every new channel: after a
 * reconnect the queues exist before any publish that waited for the connection goes out.
 * A declaration is remembered only once the broker accepted it, so one the broker refuses
 * (arguments that differ from an existing queue) is not replayed on every reconnect.
 */
export class RabbitMqTopology {
  private readonly exchanges = new Set<string>();
  private readonly queues = new Map<string, Map<string, QueueBinding>>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly deliveryLimit: number) {}

  /** Declares the exchange unless it already was; concurrent callers share one declaration. */
  ensureExchange(channel: TopologyChannel, name: string): Promise<void> {
    if (this.exchanges.has(name)) return Promise.resolve();
    return this.once(`exchange:${name}`, async () => {
      await channel.assertExchange(name, 'topic', { durable: true });
      this.exchanges.add(name);
    });
  }

  /** Declares the queue (and its dead-letter queue) unless it already was. */
  ensureQueue(channel: TopologyChannel, name: string): Promise<void> {
    if (this.queues.has(name)) return Promise.resolve();
    return this.declareQueue(channel, name, []);
  }

  /** Declares the queue, its dead-letter queue and any bindings not declared yet. */
  declareQueue(channel: TopologyChannel, name: string, bindings: QueueBinding[]): Promise<void> {
    const known = this.queues.get(name);
    const missing = bindings.filter((b) => !known?.has(bindingKey(b)));
    if (known && missing.length === 0) return Promise.resolve();
    const key = `queue:${name}:${missing.map(bindingKey).sort().join(',')}`;
    return this.once(key, async () => {
      await this.declareQueueOn(channel, name, missing);
      const remembered = this.queues.get(name) ?? new Map<string, QueueBinding>();
      for (const binding of missing) remembered.set(bindingKey(binding), binding);
      this.queues.set(name, remembered);
    });
  }

  /** Declares everything remembered on a fresh channel. */
  async replay(channel: TopologyChannel): Promise<void> {
    await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
    for (const name of this.exchanges) {
      await channel.assertExchange(name, 'topic', { durable: true });
    }
    for (const [name, bindings] of this.queues) {
      await this.declareQueueOn(channel, name, [...bindings.values()]);
    }
  }

  /** Declares one queue on a given channel without remembering it (a consumer's own channel). */
  async declareQueueOn(
    channel: TopologyChannel,
    name: string,
    bindings: QueueBinding[],
  ): Promise<void> {
    const deadLetters = deadLetterQueueOf(name);
    await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
    await channel.assertQueue(deadLetters, {
      durable: true,
      arguments: deadLetterQueueArguments(),
    });
    await channel.bindQueue(deadLetters, DEAD_LETTER_EXCHANGE, name);
    await channel.assertQueue(name, {
      durable: true,
      arguments: workQueueArguments(name, this.deliveryLimit),
    });
    for (const { exchange, routingKey } of bindings) {
      // Binding to a missing exchange would close the channel; every exchange here is a topic.
      await channel.assertExchange(exchange, 'topic', { durable: true });
      await channel.bindQueue(name, exchange, routingKey);
    }
  }

  private once(key: string, declare: () => Promise<void>): Promise<void> {
    const running = this.pending.get(key);
    if (running) return running;
    const declaration = declare().finally(() => this.pending.delete(key));
    this.pending.set(key, declaration);
    return declaration;
  }
}

function bindingKey({ exchange, routingKey }: QueueBinding): string {
  return `${exchange}\u0000${routingKey}`;
}
