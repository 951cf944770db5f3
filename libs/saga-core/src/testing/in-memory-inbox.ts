import type { EntityManager } from 'typeorm';
import { OutboxRecord } from '../messaging/outbox-store.port';
import { JoinArrival, JoinOutcome } from '../participant/event-join.port';
import { Inbox, InboxTransaction } from '../participant/inbox.port';
import { IncomingMessage, OutgoingMessage } from '../transport/message-envelope';
import { InMemoryOutboxStore } from './in-memory-outbox.store';
import { SerialLock } from './serial-lock';

/**
 * Stands in for `ctx.manager`: there is no database here, so a handler that runs on the
 * in-memory inbox keeps its state itself (and must not write before it may refuse).
 */
const NO_MANAGER = new Proxy(
  {},
  {
    get(_target, property) {
      throw new Error(`the in-memory inbox has no EntityManager (read of ${String(property)})`);
    },
  },
) as EntityManager;

/**
 * The inbox in memory, with the PostgreSQL inbox's rules: a message is claimed once per
 * consumer, and the claim and the outbox rows of one transaction commit together or not at
 * all. Transactions run one at a time.
 */
export class InMemoryInbox implements Inbox {
  private readonly claimed = new Set<string>();
  /** Each join's reports by member, and whether it completed; as `saga_event_joins` keeps them. */
  private readonly joins = new Map<string, { arrived: Record<string, unknown>; fired: boolean }>();
  private readonly lock = new SerialLock();

  constructor(readonly outbox: InMemoryOutboxStore = new InMemoryOutboxStore()) {}

  /** How many messages were handled, by every consumer (committed claims only). */
  get handledCount(): number {
    return this.claimed.size;
  }

  /** Whether `consumer` has handled `messageId` (committed claims only). */
  has(consumer: string, messageId: string): boolean {
    return this.claimed.has(keyOf(consumer, messageId));
  }

  claimsBeforeHandling(delivery: IncomingMessage): boolean {
    return delivery.deliveryCount > 1 || delivery.redelivered;
  }

  transaction<T>(consumer: string, work: (tx: InboxTransaction) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      const claims = new Set<string>();
      const rows: OutboxRecord[] = [];
      let refusedLast = false;
      const joins = new Map<string, { arrived: Record<string, unknown>; fired: boolean }>();
      const join = async (arrival: JoinArrival): Promise<JoinOutcome> => {
        const key = [arrival.sagaId, arrival.step, arrival.reaction].join('\u0000');
        const current = joins.get(key) ?? this.joins.get(key) ?? { arrived: {}, fired: false };
        if (current.fired || arrival.member in current.arrived) return null;
        const arrived = { ...current.arrived, [arrival.member]: structuredClone(arrival.data) };
        const fired = arrival.members.every((m) => m in arrived);
        joins.set(key, { arrived, fired });
        return fired ? arrived : null;
      };
      const claim = async (messageId: string): Promise<boolean> => {
        const key = keyOf(consumer, messageId);
        if (this.claimed.has(key) || claims.has(key)) return false;
        claims.add(key);
        return true;
      };
      const enqueue = async (messages: readonly OutgoingMessage[]) => {
        const staged = this.outbox.stage(messages);
        rows.push(...staged);
        return staged;
      };
      const tx: InboxTransaction = {
        manager: NO_MANAGER,
        claim,
        claimAndEnqueue: async (messageId, messages, commit) => {
          if (await claim(messageId)) return enqueue(messages);
          // As the commit sent with a refused statement: everything is rolled back.
          if (commit) refusedLast = true;
          return null;
        },
        claimAllAndEnqueue: async (all) => {
          const taken = new Set<string>();
          const refused = all.findIndex((c) => {
            const key = keyOf(consumer, c.messageId);
            if (this.claimed.has(key) || claims.has(key) || taken.has(key)) return true;
            taken.add(key);
            return false;
          });
          if (refused >= 0) return { handledAlready: refused };
          for (const key of taken) claims.add(key);
          const enqueued: OutboxRecord[][] = [];
          for (const c of all) enqueued.push(await enqueue(c.messages));
          return { enqueued };
        },
        enqueue,
        join,
      };
      const result = await work(tx);
      if (refusedLast) return result;
      for (const key of claims) this.claimed.add(key);
      for (const [key, state] of joins) this.joins.set(key, state);
      this.outbox.commit(rows);
      return result;
    });
  }
}

function keyOf(consumer: string, messageId: string): string {
  return `${consumer}\u0000${messageId}`;
}
