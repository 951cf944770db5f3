export const DEAD_LETTERS = Symbol('DEAD_LETTERS');

/** A message in a dead-letter queue, as an operator reads it. */
export interface DeadLetter {
  messageId: string | null;
  type: string | null;
  /** The saga the message names (`sagaId`, or an event's `correlationId`), if it names one. */
  sagaId: string | null;
  /** Why it was given up on: the consumer's reason, or the broker's (`rejected`, `delivery_limit`…). */
  reason: string;
  /** The handler's last error, where the consumer recorded it. */
  error: string | null;
  /** The work queue it was dead-lettered from. */
  from: string;
  /** When it was dead-lettered, if the headers tell (ISO 8601). */
  deadLetteredAt: string | null;
  /** The body as text, cut to a few kilobytes. */
  body: string;
}

/** A work queue's dead letters: how many, why, and the first few of them. */
export interface DeadLetterQueueState {
  queue: string;
  deadLetterQueue: string;
  /** Messages waiting in the dead-letter queue; null when it does not exist (yet). */
  depth: number | null;
  /** The first messages' reasons, counted. */
  reasons: Record<string, number>;
  /** The first messages; looking at them leaves them in the queue (not always in order). */
  messages: DeadLetter[];
}

export interface MoveBackOptions {
  /** Only these messages; others are left in place. Default: every message, up to `limit`. */
  messageIds?: readonly string[];
  /** At most this many messages are looked at. */
  limit: number;
  /** Recorded on each moved message (a header), for whoever reads it next. */
  movedBy: string;
}

/**
 * The dead-letter queues, read and emptied by an operator. The RabbitMQ adapter is in
 * `rabbitmq/`. Moving a message back never loses it: its copy in the work queue is confirmed
 * by the broker before it leaves the dead-letter queue (a crash in between leaves it in both,
 * and the consumer's inbox drops the second copy).
 */
export interface DeadLetters {
  inspect(queue: string, peek: number): Promise<DeadLetterQueueState>;
  /** Moves dead letters back to `queue`; returns those moved. */
  moveBack(queue: string, options: MoveBackOptions): Promise<DeadLetter[]>;
  close(): Promise<void>;
}
