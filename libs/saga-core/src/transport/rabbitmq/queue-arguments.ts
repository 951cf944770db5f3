/** Where every work queue sends the messages it gives up on; routed by the source queue's name. */
export const DEAD_LETTER_EXCHANGE = 'saga.dead-letter';

/** A broker argument table, as amqplib takes it. */
export type QueueArguments = Record<string, string | number>;

/**
 * A work queue: quorum (replicated, and the only kind that counts deliveries), bounded
 * redeliveries, then dead-lettered. `at-least-once` keeps a dead letter in the source queue
 * until its dead-letter queue confirmed it, so a poison message is never silently dropped;
 * RabbitMQ requires `reject-publish` overflow for that strategy (there is no length limit, so
 * it never actually rejects).
 */
export function workQueueArguments(queue: string, deliveryLimit: number): QueueArguments {
  if (!Number.isInteger(deliveryLimit) || deliveryLimit < 0) {
    throw new RangeError(`deliveryLimit must be a non-negative integer, got ${deliveryLimit}`);
  }
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': deliveryLimit,
    'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
    'x-dead-letter-routing-key': queue,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/** A dead-letter queue keeps everything until an operator looks: no limit, no further hop. */
export function deadLetterQueueArguments(): QueueArguments {
  return { 'x-queue-type': 'quorum' };
}
