import { EntityManager } from 'typeorm';
import { OutgoingMessage } from '../../transport/message-envelope';

/** Writes messages to the outbox in the caller's transaction; the relay publishes them later. */
export async function enqueueOutgoing(
  manager: EntityManager,
  messages: readonly OutgoingMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  const params: unknown[] = [];
  const rows = messages.map((m, i) => {
    params.push(
      m.messageId,
      m.exchange,
      m.routingKey,
      m.type,
      JSON.stringify(m.body),
      m.headers ? JSON.stringify(m.headers) : null,
    );
    const b = i * 6;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::jsonb, $${b + 6}::jsonb)`;
  });
  await manager.query(
    `INSERT INTO saga_outbox (message_id, exchange, routing_key, type, body, headers) VALUES ${rows.join(', ')}`,
    params,
  );
}

/**
 * Records in the caller's transaction that `consumer` handled `messageId`. False means it
 * already had: the caller must then change nothing. The primary key, not a prior read, decides,
 * so two concurrent deliveries of one message cannot both pass.
 */
export async function claimIncoming(
  manager: EntityManager,
  consumer: string,
  messageId: string,
): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO saga_inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
    [consumer, messageId],
  );
  return rows.length === 1;
}
