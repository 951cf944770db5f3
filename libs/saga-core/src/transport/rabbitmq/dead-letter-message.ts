import type { Message, MessagePropertyHeaders } from 'amqplib';
import { DeadLetter } from '../dead-letters.port';

/** What the consumer records on the copy it dead-letters itself. */
export const DEAD_LETTER_HEADERS = {
  reason: 'x-saga-dead-letter-reason',
  error: 'x-saga-dead-letter-error',
  from: 'x-saga-dead-lettered-from',
} as const;

/** Headers of a message moved back from its dead-letter queue. */
export const MOVED_BACK_HEADERS = { by: 'x-saga-moved-back-by', at: 'x-saga-moved-back-at' };

const BODY_PREVIEW = 4_000;

interface DeathRecord {
  queue?: unknown;
  reason?: unknown;
  time?: unknown;
}

/**
 * Reads a dead letter of either origin: a copy the consumer published with its own headers,
 * or a message the broker dead-lettered (a rejection, the delivery limit), which carries the
 * broker's `x-death` records, the latest first. `queue` is the work queue it came from.
 */
export function readDeadLetter(message: Message, queue: string): DeadLetter {
  const headers: MessagePropertyHeaders = message.properties.headers ?? {};
  const deaths: unknown = headers['x-death'];
  const death: DeathRecord = Array.isArray(deaths) && deaths.length > 0 ? deaths[0] : {};
  const body = message.content.toString('utf8');
  return {
    messageId: text(message.properties.messageId),
    type: text(message.properties.type),
    sagaId: sagaOf(body),
    reason:
      text(headers[DEAD_LETTER_HEADERS.reason]) ??
      text(death.reason) ??
      text(headers['x-first-death-reason']) ??
      'unknown',
    error: text(headers[DEAD_LETTER_HEADERS.error]),
    from: text(headers[DEAD_LETTER_HEADERS.from]) ?? text(death.queue) ?? queue,
    deadLetteredAt: timeOf(death.time),
    body: body.length > BODY_PREVIEW ? `${body.slice(0, BODY_PREVIEW)}…` : body,
  };
}

/**
 * The headers a moved-back message keeps: its own, without the records of its dead-lettering
 * (a fresh start in the work queue, with its own delivery count), plus who moved it.
 */
export function movedBackHeaders(message: Message, movedBy: string): Record<string, unknown> {
  const kept = Object.entries(message.properties.headers ?? {}).filter(
    ([name]) =>
      !name.startsWith('x-death') &&
      !/^x-(first|last)-death-/.test(name) &&
      !name.startsWith('x-saga-dead-letter') &&
      name !== 'x-delivery-count',
  );
  return {
    ...Object.fromEntries(kept),
    [MOVED_BACK_HEADERS.by]: movedBy,
    [MOVED_BACK_HEADERS.at]: new Date().toISOString(),
  };
}

function sagaOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { sagaId?: unknown; correlationId?: unknown } | null;
    return text(parsed?.sagaId) ?? text(parsed?.correlationId);
  } catch {
    return null;
  }
}

function text(value: unknown): string | null {
  if (Buffer.isBuffer(value)) return value.toString('utf8') || null;
  return typeof value === 'string' && value !== '' ? value : null;
}

/** amqplib reads an AMQP timestamp as seconds; some clients write it as a tagged value. */
function timeOf(value: unknown): string | null {
  const seconds =
    typeof value === 'number'
      ? value
      : typeof (value as { value?: unknown } | null)?.value === 'number'
        ? (value as { value: number }).value
        : null;
  return seconds === null ? null : new Date(seconds * 1000).toISOString();
}
