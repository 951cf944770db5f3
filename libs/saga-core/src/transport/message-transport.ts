import { IncomingMessage, OutgoingMessage } from './message-envelope';

/** A durable queue as the engine needs it; the adapter adds broker specifics (quorum, limits). */
export interface QueueSpec {
  name: string;
  /** Bindings of this queue to exchanges (choreography); commands and replies use none. */
  bindings?: { exchange: string; routingKey: string }[];
  /** Messages handled at once by this consumer. */
  prefetch?: number;
}

/** Handles one message. Resolving acks it; throwing hands it back to the broker. */
export type MessageHandler = (message: IncomingMessage) => Promise<void>;

/**
 * The transport port. One subclass per broker (see `rabbitmq/`); the engine and the
 * participants only ever see this class, so acks, confirms and channels stay in the adapter.
 *
 * Contract for `consume`:
 * - the handler's promise resolving means "my effects are committed": the message is acked;
 * - a `PoisonMessageError` (or a body that is not JSON) dead-letters the message at once;
 * - any other error requeues it; past the delivery limit the broker dead-letters it.
 */
export abstract class MessageTransport {
  /** Publishes one message durably; resolves once the broker confirmed it. */
  abstract publish(message: OutgoingMessage): Promise<void>;

  /** Declares a queue (and its dead-letter queue) so publishers never drop a message. */
  abstract declareQueue(queue: QueueSpec): Promise<void>;

  /** Declares a topic exchange for events. */
  abstract declareExchange(name: string): Promise<void>;

  /** Starts consuming; survives reconnects (the consumer is re-attached). */
  abstract consume(queue: QueueSpec, handler: MessageHandler): Promise<void>;

  /** True while the broker connection is up. */
  abstract isConnected(): boolean;

  abstract close(): Promise<void>;

  /** The queues consumed through this transport, for `/metrics`. */
  consumedQueues(): string[] {
    return [];
  }

  /** Ready messages (not those delivered and unacked) and consumers of a queue. */
  queueStats(name: string): Promise<{ messages: number; consumers: number }> {
    return Promise.reject(new Error(`this transport cannot inspect queue ${name}`));
  }
}

/**
 * Redeliveries of a failing message before the broker dead-letters it, unless the app sets
 * `deliveryLimit`: a message is delivered at most this many times plus one.
 */
export const DEFAULT_DELIVERY_LIMIT = 5;

/** The queue that collects a queue's dead letters. */
export function deadLetterQueueOf(queue: string): string {
  return `${queue}.dead-letter`;
}
