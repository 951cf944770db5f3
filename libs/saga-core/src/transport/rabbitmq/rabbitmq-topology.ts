import type { Channel, Options } from 'amqplib';
import { deadLetterQueueOf } from '../message-transport';
import {
  deadLetterQueueArguments,
  DEAD_LETTER_EXCHANGE,
  workQueueArguments,
} from './queue-arguments';
import { describeError } from './rabbitmq-connection';

/** The declaring calls of an amqplib channel. */
export interface TopologyChannel {
  assertExchange(name: string, type: string, options?: Options.AssertExchange): Promise<unknown>;
  assertQueue(name: string, options?: Options.AssertQueue): Promise<unknown>;
  bindQueue(queue: string, exchange: string, routingKey: string): Promise<unknown>;
  checkExchange(name: string): Promise<unknown>;
}

/** Where throwaway channels come from: the current amqplib connection. */
export interface ChannelSource {
  createChannel(): Promise<TopologyChannel & Pick<Channel, 'close' | 'on'>>;
}

export interface QueueBinding {
  exchange: string;
  routingKey: string;
}

/**
 * What this process declared from its own configuration at start, so it can be declared again
 * after every reconnect. Every declaration runs on a throwaway channel: a refusal (a queue
 * that exists with other arguments) closes that channel only, never the channel that
 * publishes or consumes. A declaration is remembered only once the broker accepted it, and
 * nothing is ever declared from a name a message carries: a publish names a queue or an
 * exchange that exists, or it fails (see `RabbitMqTransport.publish`).
 */
export class RabbitMqTopology {
  private readonly exchanges = new Set<string>();
  private readonly queues = new Map<string, Map<string, QueueBinding>>();
  /** Exchanges this process did not declare but found, by a passive check, to exist. */
  private readonly verified = new Set<string>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly deliveryLimit: number) {}

  /**
   * Declares a topic exchange unless it already was; concurrent callers share one declaration.
   * Without a connection (`source` undefined, or lost midway) it is only remembered, and the
   * replay after the reconnect declares it; a broker's refusal rejects and is not remembered.
   */
  declareExchange(source: ChannelSource | undefined, name: string): Promise<void> {
    if (this.exchanges.has(name)) return Promise.resolve();
    return this.once(`exchange:${name}`, async () => {
      await declaredUnlessRefused(source, (channel) =>
        channel.assertExchange(name, 'topic', { durable: true }),
      );
      this.exchanges.add(name);
    });
  }

  /** Declares the queue, its dead-letter queue and any bindings not declared yet (as above). */
  declareQueue(
    source: ChannelSource | undefined,
    name: string,
    bindings: QueueBinding[],
  ): Promise<void> {
    const known = this.queues.get(name);
    const missing = bindings.filter((b) => !known?.has(bindingKey(b)));
    if (known && missing.length === 0) return Promise.resolve();
    const key = `queue:${name}:${missing.map(bindingKey).sort().join(',')}`;
    return this.once(key, async () => {
      await declaredUnlessRefused(source, (channel) => this.declareQueueOn(channel, name, missing));
      const remembered = this.queues.get(name) ?? new Map<string, QueueBinding>();
      for (const binding of missing) remembered.set(bindingKey(binding), binding);
      this.queues.set(name, remembered);
    });
  }

  /** Declares one queue without remembering it (a consumer re-declaring its own on attach). */
  declareQueueOnce(source: ChannelSource, name: string, bindings: QueueBinding[]): Promise<void> {
    return onThrowawayChannel(source, (channel) => this.declareQueueOn(channel, name, bindings));
  }

  /**
   * Declares everything remembered after a reconnect, each queue on its own channel so one
   * refusal does not stop the others. Returns the refusals, for the log.
   */
  async replay(source: ChannelSource): Promise<string[]> {
    this.verified.clear();
    const problems: string[] = [];
    const attempt = async (what: string, declare: (c: TopologyChannel) => Promise<unknown>) => {
      try {
        await onThrowawayChannel(source, declare);
      } catch (error) {
        problems.push(`${what}: ${describeError(error)}`);
      }
    };
    await attempt('exchanges', async (channel) => {
      await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
      for (const name of this.exchanges) {
        await channel.assertExchange(name, 'topic', { durable: true });
      }
    });
    for (const [name, bindings] of this.queues) {
      await attempt(`queue ${name}`, (channel) =>
        this.declareQueueOn(channel, name, [...bindings.values()]),
      );
    }
    return problems;
  }

  /**
   * Resolves when `name` is an exchange that exists: one this process declared, or one a
   * passive check found. Publishing to a missing exchange would close the publishing channel,
   * so the publish is refused here instead.
   */
  requireExchange(source: ChannelSource | undefined, name: string): Promise<void> {
    if (this.exchanges.has(name) || this.verified.has(name)) return Promise.resolve();
    if (!source) return Promise.reject(new Error(`RabbitMQ is not connected`));
    return this.once(`check:${name}`, async () => {
      try {
        await onThrowawayChannel(source, (channel) => channel.checkExchange(name));
      } catch (error) {
        throw new Error(`no exchange ${name}: ${describeError(error)}`);
      }
      this.verified.add(name);
    });
  }

  /** The queues declared from this process's configuration (for tests and diagnostics). */
  declaredQueues(): string[] {
    return [...this.queues.keys()];
  }

  private async declareQueueOn(
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
      // Binding to a missing exchange would fail; every exchange here is a topic.
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

/**
 * Declares on a throwaway channel; resolves without declaring when there is no connection or
 * it is lost midway (the replay on reconnect declares it), rejects when the broker refuses.
 */
async function declaredUnlessRefused(
  source: ChannelSource | undefined,
  declare: (channel: TopologyChannel) => Promise<unknown>,
): Promise<void> {
  if (!source) return;
  try {
    await onThrowawayChannel(source, declare);
  } catch (error) {
    if (isBrokerRefusal(error)) throw error;
  }
}

/** A refusal carries the broker's reply code; a lost connection does not. */
export function isBrokerRefusal(error: unknown): boolean {
  return typeof (error as { code?: unknown } | undefined)?.code === 'number';
}

/** Runs `use` on a channel of its own, closed afterwards; a refusal closes only that channel. */
async function onThrowawayChannel<T>(
  source: ChannelSource,
  use: (channel: TopologyChannel) => Promise<T>,
): Promise<T> {
  const channel = await source.createChannel();
  // The broker's refusal arrives as the channel's error; the failed call rejects with it.
  channel.on('error', () => undefined);
  try {
    return await use(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
}

function bindingKey({ exchange, routingKey }: QueueBinding): string {
  return `${exchange}\u0000${routingKey}`;
}
