import type { ConsumeMessage } from 'amqplib';
import { IncomingMessage } from '../message-envelope';

/**
 * Reads one delivery. `undefined` means it can never be handled — the body is not a JSON
 * object, or nothing names the message (without an id the inbox cannot deduplicate it) — so
 * the caller dead-letters it instead of letting it cycle up to the delivery limit.
 */
export function toIncomingMessage(delivery: ConsumeMessage): IncomingMessage | undefined {
  const body = parseObject(delivery.content);
  if (!body) return undefined;
  const { properties, fields } = delivery;
  const messageId = nonEmptyString(properties.messageId) ?? nonEmptyString(body.messageId);
  if (!messageId) return undefined;
  const headers: Record<string, unknown> = { ...(properties.headers ?? {}) };
  // Quorum queues count returns in this header, absent on the first delivery.
  const returns = headers['x-delivery-count'];
  return {
    messageId,
    type: nonEmptyString(properties.type) ?? nonEmptyString(body.type) ?? '',
    body,
    headers,
    deliveryCount: typeof returns === 'number' && returns >= 0 ? returns + 1 : 1,
    redelivered: fields.redelivered,
  };
}

/** Errors cross process boundaries by code, so an error from another copy of the lib matches. */
export function isPoisonMessageError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'POISON_MESSAGE'
  );
}

function parseObject(content: Buffer): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
