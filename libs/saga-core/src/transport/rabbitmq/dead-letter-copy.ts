import { randomUUID } from 'node:crypto';
import type { ConsumeMessage, Options } from 'amqplib';
import { DeadLetterReason } from '../../errors/poison-message.error';
import { deadLetterQueueOf } from '../message-transport';

/**
 * Headers of a dead letter that a consumer gave up on: why, the error it met, and the queue it
 * came from. A dead letter the broker made itself carries `x-death` instead. Dashboards and
 * operators read exactly these names.
 */
export const DeadLetterHeader = {
  /** A `DeadLetterReason`. */
  REASON: 'x-saga-dead-letter-reason',
  /** The error's message, cut to `MAX_DEAD_LETTER_ERROR_LENGTH` characters. */
  ERROR: 'x-saga-dead-letter-error',
  /** The work queue the message was consumed from. */
  FROM: 'x-saga-dead-lettered-from',
} as const;

export const MAX_DEAD_LETTER_ERROR_LENGTH = 1_000;

/** A copy of a delivery for its queue's dead-letter queue, published before the original is acked. */
export interface DeadLetterCopy {
  queue: string;
  content: Buffer;
  options: Options.Publish & { messageId: string };
}

/**
 * The delivery as it came, with the reason headers added. Properties that would change what
 * the copy is (an expiry, a user id the broker checks against the connection) are left out;
 * a message without an id gets one, so its confirm and any return can be matched.
 */
export function deadLetterCopyOf(
  delivery: ConsumeMessage,
  from: string,
  reason: DeadLetterReason,
  error: string,
): DeadLetterCopy {
  const p = delivery.properties;
  const options: DeadLetterCopy['options'] = {
    persistent: true,
    messageId: typeof p.messageId === 'string' && p.messageId ? p.messageId : randomUUID(),
    headers: {
      ...(p.headers ?? {}),
      [DeadLetterHeader.REASON]: reason,
      [DeadLetterHeader.ERROR]: error.slice(0, MAX_DEAD_LETTER_ERROR_LENGTH),
      [DeadLetterHeader.FROM]: from,
    },
  };
  if (p.contentType) options.contentType = p.contentType as string;
  if (p.contentEncoding) options.contentEncoding = p.contentEncoding as string;
  if (p.correlationId) options.correlationId = p.correlationId as string;
  if (p.type) options.type = p.type as string;
  if (p.timestamp) options.timestamp = p.timestamp as number;
  if (p.appId) options.appId = p.appId as string;
  return { queue: deadLetterQueueOf(from), content: delivery.content, options };
}
