import { EntityManager } from 'typeorm';
import { OutboxRecord } from '../../messaging/outbox-store.port';
import type { ClaimAllOutcome, InboxClaim } from '../../participant/inbox.port';
import { stampTraceContext } from '../../observability/trace-context';
import { IncomingMessage, OutgoingMessage } from '../../transport/message-envelope';
import {
  CLAIM,
  CLAIM_ALL_AND_ENQUEUE,
  CLAIM_AND_ENQUEUE,
  CLAIM_ENQUEUE_LAST,
  ENQUEUE,
  INBOX_KEY,
} from './messaging-statements';
import { preparedQuery } from './prepared-query';
import { StepTransaction } from './step-transaction';

/**
 * Writes messages to the outbox in the caller's transaction, in one statement, and returns
 * them with their row ids: once the transaction commits, the caller hands them to the relay
 * to publish at once (`OutboxRelay.publishCommitted`).
 */
export async function enqueueOutgoing(
  manager: EntityManager,
  messages: readonly OutgoingMessage[],
): Promise<OutboxRecord[]> {
  if (messages.length === 0) return [];
  const rows = await preparedQuery<{ id: string }>(manager, ENQUEUE, outboxColumns(messages));
  return toOutboxRecords(rows, messages);
}

/**
 * One array per outbox column, for a single `INSERT … SELECT FROM unnest(…)`. Every outbox
 * write goes through here, so here each message is stamped with the trace being handled: the
 * row and the publish right after the commit carry the same `traceparent` header.
 */
export function outboxColumns(messages: readonly OutgoingMessage[]): unknown[] {
  stampTraceContext(messages);
  return [
    messages.map((m) => m.messageId),
    messages.map((m) => m.exchange),
    messages.map((m) => m.routingKey),
    messages.map((m) => m.type),
    messages.map((m) => JSON.stringify(m.body)),
    messages.map((m) => (m.headers ? JSON.stringify(m.headers) : null)),
  ];
}

/** `unnest` keeps array order and `RETURNING` the insert's: row i is message i. */
export function toOutboxRecords(
  rows: readonly { id: string | number }[],
  messages: readonly OutgoingMessage[],
): OutboxRecord[] {
  if (rows.length !== messages.length) {
    throw new Error(`outbox insert returned ${rows.length} ids for ${messages.length} messages`);
  }
  return rows.map((row, i) => ({ id: String(row.id), message: messages[i] }));
}

/**
 * Records in the caller's transaction that `consumer` handled `messageId`, and writes the
 * messages its handling sends, in one statement: the inbox row and the outbox rows commit
 * together with the handler's effects, or not at all. Null means the message was handled
 * already (the outbox is then left alone): the caller must roll back what it did. The primary
 * key, not a prior read, decides, so two concurrent deliveries of one message cannot both
 * pass; the second waits for the first to commit, then finds its row.
 */
export async function claimAndEnqueue(
  manager: EntityManager,
  consumer: string,
  messageId: string,
  messages: readonly OutgoingMessage[],
): Promise<OutboxRecord[] | null> {
  const [row] = await preparedQuery<{ claimed: number; ids: string[] }>(
    manager,
    CLAIM_AND_ENQUEUE,
    [consumer, messageId, ...outboxColumns(messages)],
  );
  if (row.claimed === 0) return null;
  return toOutboxRecords(
    row.ids.map((id) => ({ id })),
    messages,
  );
}

/**
 * `claimAndEnqueue` as the step's last statement, with the commit sent behind it: null, and
 * the step rolled back, when the message was handled already.
 */
export async function claimEnqueueAndCommit(
  step: StepTransaction,
  consumer: string,
  messageId: string,
  messages: readonly OutgoingMessage[],
): Promise<OutboxRecord[] | null> {
  const rows = await step.finalStatement<{ ids: string[] }>(
    CLAIM_ENQUEUE_LAST,
    [consumer, messageId, ...outboxColumns(messages)],
    handledAlready,
  );
  if (!rows) return null;
  return toOutboxRecords(
    rows[0].ids.map((id) => ({ id })),
    messages,
  );
}

/** The inbox's key refused the row: the message was handled already. */
function handledAlready(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === INBOX_KEY;
}

/**
 * `claimAndEnqueue` of several messages in one statement: the outbox rows are written only if
 * every message was claimed; otherwise the caller learns which claim was handled already.
 */
export async function claimAllAndEnqueue(
  manager: EntityManager,
  consumer: string,
  claims: readonly InboxClaim[],
): Promise<ClaimAllOutcome> {
  const messages = claims.flatMap((claim) => claim.messages);
  const [row] = await preparedQuery<{ claimed: string[]; ids: string[] }>(
    manager,
    CLAIM_ALL_AND_ENQUEUE,
    [consumer, claims.map((claim) => claim.messageId), claims.length, ...outboxColumns(messages)],
  );
  const refused = firstUnclaimed(claims, row.claimed);
  if (refused >= 0) return { handledAlready: refused };
  const records = toOutboxRecords(
    row.ids.map((id) => ({ id })),
    messages,
  );
  let next = 0;
  return { enqueued: claims.map((claim) => records.slice(next, (next += claim.messages.length))) };
}

/** The first of `claims` the inbox did not take (a second copy counts once taken); else -1. */
export function firstUnclaimed(claims: readonly InboxClaim[], claimed: readonly string[]): number {
  const left = new Set(claimed);
  return claims.findIndex((claim) => !left.delete(claim.messageId));
}

/**
 * Records in the caller's transaction that `consumer` handled `messageId`, before the handler
 * runs. False means it already had: the caller must then change nothing.
 */
export async function claimIncoming(
  manager: EntityManager,
  consumer: string,
  messageId: string,
): Promise<boolean> {
  const rows = await preparedQuery(manager, CLAIM, [consumer, messageId]);
  return rows.length === 1;
}

/**
 * Whether a delivery is claimed before its handler runs (`claimIncoming`) rather than with
 * the messages it sends (`claimAndEnqueue`). A broker redelivery, a delivery that was never
 * acked (most often after a crash between commit and ack), is likely handled already: its
 * handler must not run again. A first delivery is a copy only when the relay published a
 * message twice, which is rare; it is claimed after the work, in one statement with what it
 * sends, and a copy rolls its work back.
 */
export function claimsBeforeHandling(message: IncomingMessage): boolean {
  return message.deliveryCount > 1 || message.redelivered;
}
