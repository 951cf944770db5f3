import type { EntityManager } from 'typeorm';
import { OutboxRecord } from '../messaging/outbox-store.port';
import { IncomingMessage, OutgoingMessage } from '../transport/message-envelope';
import { JoinArrival, JoinOutcome } from './event-join.port';

/** Injection token of the `Inbox` the participant runtime records handled messages in. */
export const INBOX = Symbol('INBOX');

/** A message to record as handled, with what its handling sends. */
export interface InboxClaim {
  messageId: string;
  messages: readonly OutgoingMessage[];
}

/** What `claimAllAndEnqueue` did: every claim with its records, or the first it refused. */
export type ClaimAllOutcome = { enqueued: OutboxRecord[][] } | { handledAlready: number };

/**
 * One local transaction over a delivered message: the handler's writes (through `manager`),
 * the inbox row and the outbox rows of what it sends commit together, or not at all.
 */
export interface InboxTransaction {
  /** Handed to the handler for its own writes in the same transaction. */
  readonly manager: EntityManager;
  /** Records the message as handled; false when it was handled already. */
  claim(messageId: string): Promise<boolean>;
  /**
   * Records the message as handled and writes what its handling sends, in one statement;
   * null when it was handled already (the outbox is then left alone). With `commit`, it is
   * the transaction's last statement: the commit goes with it (the transaction is rolled back
   * on null), and nothing may be written after it.
   */
  claimAndEnqueue(
    messageId: string,
    messages: readonly OutgoingMessage[],
    commit?: boolean,
  ): Promise<OutboxRecord[] | null>;
  /**
   * `claimAndEnqueue` of several messages (a group commit's), in one statement: their outbox
   * records in the order of `claims`; or, when any was handled already (a copy, maybe of
   * another of `claims`), the index of the first such claim, the outbox left alone, and the
   * caller must roll back what it did.
   */
  claimAllAndEnqueue(claims: readonly InboxClaim[]): Promise<ClaimAllOutcome>;
  /** Writes what the handling sends, once the message was claimed. */
  enqueue(messages: readonly OutgoingMessage[]): Promise<OutboxRecord[]>;
  /**
   * Counts one event towards a join of a parallel group's reports, in this transaction: kept
   * if it commits, forgotten if it rolls back. Exactly one of the reports, whatever their
   * order and however many are handled at once, completes the join.
   */
  join(arrival: JoinArrival): Promise<JoinOutcome>;
}

/** Exactly-once effects over at-least-once delivery, per consumer and message id. */
export interface Inbox {
  /**
   * Whether a delivery is claimed before its handler runs (a redelivery, likely handled
   * already) rather than in the statement that writes its outgoing messages.
   */
  claimsBeforeHandling(delivery: IncomingMessage): boolean;
  /** Runs `work` in one transaction whose inbox rows belong to `consumer`. */
  transaction<T>(consumer: string, work: (tx: InboxTransaction) => Promise<T>): Promise<T>;
}
