import { PoisonMessageError } from '../errors/poison-message.error';
import { IncomingMessage, OutgoingMessage } from '../transport/message-envelope';
import {
  deadLetterQueueOf,
  DEFAULT_DELIVERY_LIMIT,
  MessageHandler,
  MessageTransport,
  QueueSpec,
} from '../transport/message-transport';
import { UnroutableMessageError } from '../transport/unroutable-message.error';

/** A message given up on, as the in-memory broker keeps it. */
export interface InMemoryDeadLetter {
  queue: string;
  message: IncomingMessage;
  error: string;
}

interface MemoryQueue {
  spec: QueueSpec;
  ready: IncomingMessage[];
  handler: MessageHandler | null;
  inFlight: number;
}

export interface InMemoryTransportOptions {
  /** Redeliveries of a failing message before it is dead-lettered; as the RabbitMQ adapter. */
  deliveryLimit?: number;
}

/**
 * A broker in memory, with RabbitMQ's routing: the default exchange ('') routes by queue
 * name, a topic exchange by its queues' bindings (`*` one word, `#` any). A message nothing
 * would take is refused (`UnroutableMessageError`, as a mandatory publish is returned), so its
 * outbox row stays unsent. Delivery follows the port's contract: a handler that resolves acks,
 * a `PoisonMessageError` dead-letters at once, any other error requeues the message (at the
 * back, its delivery count up) until the delivery limit dead-letters it. Bodies travel as
 * JSON, so a consumer never shares an object with its publisher.
 */
export class InMemoryTransport extends MessageTransport {
  private readonly queues = new Map<string, MemoryQueue>();
  private readonly exchanges = new Set<string>();
  private readonly deliveryLimit: number;
  private connected = true;
  /** Every message the broker took, in order. */
  readonly published: OutgoingMessage[] = [];
  readonly deadLetters: InMemoryDeadLetter[] = [];

  constructor(options: InMemoryTransportOptions = {}) {
    super();
    this.deliveryLimit = options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT;
  }

  async publish(message: OutgoingMessage): Promise<void> {
    if (!this.connected) throw new Error('the in-memory broker is disconnected');
    const targets = this.routesOf(message);
    const route = `${message.exchange || '(default exchange)'} ${message.routingKey}`;
    if (targets.length === 0) throw new UnroutableMessageError(`no queue for ${route}`);
    this.published.push(message);
    for (const queue of targets) {
      queue.ready.push({
        messageId: message.messageId,
        type: message.type,
        body: JSON.parse(JSON.stringify(message.body)) as unknown,
        headers: { ...message.headers },
        deliveryCount: 1,
        redelivered: false,
      });
      this.pump(queue);
    }
  }

  async declareQueue(spec: QueueSpec): Promise<void> {
    const queue = this.queues.get(spec.name);
    if (!queue) {
      this.queues.set(spec.name, { spec, ready: [], handler: null, inFlight: 0 });
      // Its dead letters wait there, as the RabbitMQ adapter declares it beside the queue.
      const dead = deadLetterQueueOf(spec.name);
      if (!this.queues.has(dead)) {
        this.queues.set(dead, { spec: { name: dead }, ready: [], handler: null, inFlight: 0 });
      }
      return;
    }
    const bindings = [...(queue.spec.bindings ?? []), ...(spec.bindings ?? [])];
    queue.spec = { ...queue.spec, ...spec, bindings };
  }

  async declareExchange(name: string): Promise<void> {
    this.exchanges.add(name);
  }

  async consume(spec: QueueSpec, handler: MessageHandler): Promise<void> {
    await this.declareQueue(spec);
    const queue = this.queues.get(spec.name) as MemoryQueue;
    queue.handler = handler;
    this.pump(queue);
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** Drops or restores the connection: publishes fail while it is down. */
  setConnected(connected: boolean): void {
    this.connected = connected;
  }

  async close(): Promise<void> {
    for (const queue of this.queues.values()) queue.handler = null;
  }

  override consumedQueues(): string[] {
    return [...this.queues.values()].filter((q) => q.handler).map((q) => q.spec.name);
  }

  override async queueStats(name: string): Promise<{ messages: number; consumers: number }> {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`no queue ${name}`);
    return { messages: queue.ready.length, consumers: queue.handler ? 1 : 0 };
  }

  /** True when no consumed queue has a message waiting or being handled. */
  isIdle(): boolean {
    return [...this.queues.values()].every(
      (queue) => queue.inFlight === 0 && (!queue.handler || queue.ready.length === 0),
    );
  }

  /** Messages waiting in a queue, in order (a queue no one consumes keeps them). */
  waiting(name: string): readonly IncomingMessage[] {
    return this.queues.get(name)?.ready ?? [];
  }

  private routesOf(message: OutgoingMessage): MemoryQueue[] {
    if (message.exchange === '') {
      const queue = this.queues.get(message.routingKey);
      return queue ? [queue] : [];
    }
    if (!this.exchanges.has(message.exchange)) return [];
    return [...this.queues.values()].filter((queue) =>
      (queue.spec.bindings ?? []).some(
        (b) => b.exchange === message.exchange && topicMatches(b.routingKey, message.routingKey),
      ),
    );
  }

  private pump(queue: MemoryQueue): void {
    const prefetch = queue.spec.prefetch ?? 1;
    while (queue.handler && queue.ready.length > 0 && queue.inFlight < prefetch) {
      const message = queue.ready.shift() as IncomingMessage;
      queue.inFlight++;
      void this.deliver(queue, queue.handler, message);
    }
  }

  private async deliver(queue: MemoryQueue, handler: MessageHandler, message: IncomingMessage) {
    try {
      // Never inside the publisher's call: a broker delivers on its own time.
      await Promise.resolve();
      await handler(message);
    } catch (error) {
      const poison = error instanceof PoisonMessageError;
      if (poison || message.deliveryCount > this.deliveryLimit) {
        const reason = error instanceof Error ? error.message : String(error);
        this.deadLetters.push({ queue: queue.spec.name, message, error: reason });
        this.queues.get(deadLetterQueueOf(queue.spec.name))?.ready.push(message);
      } else {
        queue.ready.push({
          ...message,
          deliveryCount: message.deliveryCount + 1,
          redelivered: true,
        });
      }
    } finally {
      queue.inFlight--;
      this.pump(queue);
    }
  }
}

/** RabbitMQ's topic matching: words split on '.', `*` is one word, `#` zero or more. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const match = (p: string[], k: string[]): boolean => {
    if (p.length === 0) return k.length === 0;
    const [head, ...rest] = p;
    if (head === '#') return match(rest, k) || (k.length > 0 && match(p, k.slice(1)));
    if (k.length === 0) return false;
    return (head === '*' || head === k[0]) && match(rest, k.slice(1));
  };
  return match(pattern.split('.'), routingKey.split('.'));
}
