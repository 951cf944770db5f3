import { randomUUID } from 'node:crypto';
import type { ConsumeMessage, Options } from 'amqplib';
import { DeadLetterReason } from '../../errors/poison-message.error';
import { DeadLetterHeader, MAX_DEAD_LETTER_ERROR_LENGTH } from '../dead-letter-headers';
import { deadLetterQueueOf } from '../message-transport';

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
