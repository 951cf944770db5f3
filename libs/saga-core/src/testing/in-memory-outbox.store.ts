import {
  OutboxRecord,
  OutboxRetryPolicy,
  OutboxStore,
  ParkedOutboxRow,
  PublishFailure,
  PublishOutcome,
  RelayBatchResult,
} from '../messaging/outbox-store.port';
import { OutgoingMessage } from '../transport/message-envelope';

/** Errors are kept for an operator to read, not in full, as the PostgreSQL store does. */
const MAX_ERROR_LENGTH = 1_000;

/** One outbox row, as `saga_outbox` holds it. */
export interface InMemoryOutboxRow {
  record: OutboxRecord;
  createdAt: Date;
  sent: boolean;
  /** Held by a relay pass: another pass skips it (`FOR UPDATE SKIP LOCKED`). */
  claimed: boolean;
  attempts: number;
  /** Epoch milliseconds of the next try; 0 when it may be tried at once. */
  nextAttemptAt: number;
  lastError: string | null;
  parkedAt: Date | null;
}

export interface InMemoryOutboxOptions {
  /** The store's clock: row ages, backoffs and parking times. Default `new Date()`. */
  now?: () => Date;
}

/**
 * The outbox in memory, with the PostgreSQL store's rules: a row claimed by one relay pass is
 * not offered to another, rows waiting for their next try or parked are not offered, rows
 * younger than `minAgeMs` are left to the process that committed them, and a failure is one
 * try with a doubling backoff until the row is parked.
 *
 * Writers (the in-memory saga store and inbox) `stage` rows inside their transaction and
 * `commit` them with it, so a rolled-back transaction leaves no row behind.
 */
export class InMemoryOutboxStore implements OutboxStore {
  private readonly rows: InMemoryOutboxRow[] = [];
  private lastId = 0;
  private readonly now: () => Date;

  constructor(options: InMemoryOutboxOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  /** Gives the messages their row ids; nothing is visible until `commit`. */
  stage(messages: readonly OutgoingMessage[]): OutboxRecord[] {
    return messages.map((message) => ({ id: String(++this.lastId), message }));
  }

  /** Makes staged rows visible to the relay. */
  commit(records: readonly OutboxRecord[]): void {
    const createdAt = this.now();
    for (const record of records) {
      this.rows.push({
        record,
        createdAt,
        sent: false,
        claimed: false,
        attempts: 0,
        nextAttemptAt: 0,
        lastError: null,
        parkedAt: null,
      });
    }
  }

  /** `stage` and `commit` at once: rows written outside any transaction. */
  enqueue(messages: readonly OutgoingMessage[]): OutboxRecord[] {
    const records = this.stage(messages);
    this.commit(records);
    return records;
  }

  /** Every row, oldest first: for assertions. */
  all(): readonly InMemoryOutboxRow[] {
    return this.rows;
  }

  row(id: string): InMemoryOutboxRow | undefined {
    return this.rows.find((row) => row.record.id === id);
  }

  async relayBatch(
    limit: number,
    publish: (records: OutboxRecord[]) => Promise<PublishOutcome>,
    minAgeMs: number,
    policy: OutboxRetryPolicy,
  ): Promise<RelayBatchResult> {
    const now = this.now().getTime();
    const claimed = this.rows
      .filter((row) => !row.sent && !row.claimed && !row.parkedAt && row.nextAttemptAt <= now)
      .filter((row) => minAgeMs === 0 || row.createdAt.getTime() <= now - minAgeMs)
      .slice(0, limit);
    if (claimed.length === 0) return { sent: 0, failed: 0, parked: [] };
    for (const row of claimed) row.claimed = true;
    try {
      const { confirmed, failed } = await publish(claimed.map((row) => row.record));
      // Only rows of this claim are marked, as the transaction's UPDATE only sees its own.
      const ids = new Set(confirmed.map((record) => record.id));
      for (const row of claimed) if (ids.has(row.record.id)) row.sent = true;
      const parked = this.failuresOf(failed, policy);
      return { sent: ids.size, failed: failed.length, parked };
    } finally {
      for (const row of claimed) row.claimed = false;
    }
  }

  async markSent(ids: readonly string[]): Promise<void> {
    const marked = new Set(ids);
    for (const row of this.rows) if (marked.has(row.record.id)) row.sent = true;
  }

  async recordFailures(
    failures: readonly PublishFailure[],
    policy: OutboxRetryPolicy,
  ): Promise<ParkedOutboxRow[]> {
    return this.failuresOf(failures, policy);
  }

  async pendingCount(): Promise<number> {
    return this.rows.filter((row) => !row.sent).length;
  }

  async parkedCount(): Promise<number> {
    return this.rows.filter((row) => !row.sent && row.parkedAt).length;
  }

  async parkedRows(limit = 100): Promise<ParkedOutboxRow[]> {
    return this.rows
      .filter((row) => !row.sent && row.parkedAt)
      .slice(0, limit)
      .map(toParked);
  }

  async releaseParked(ids?: readonly string[]): Promise<number> {
    const released = this.rows.filter(
      (row) => !row.sent && row.parkedAt && (!ids || ids.includes(row.record.id)),
    );
    for (const row of released) {
      Object.assign(row, { parkedAt: null, attempts: 0, nextAttemptAt: 0 });
    }
    return released.length;
  }

  private failuresOf(
    failures: readonly PublishFailure[],
    policy: OutboxRetryPolicy,
  ): ParkedOutboxRow[] {
    const parked: ParkedOutboxRow[] = [];
    const now = this.now();
    for (const { id, error } of failures) {
      const row = this.row(id);
      if (!row || row.sent || row.parkedAt) continue;
      const delay = Math.min(policy.maxRetryDelayMs, policy.retryDelayMs * 2 ** row.attempts);
      row.attempts++;
      row.lastError = error.slice(0, MAX_ERROR_LENGTH);
      row.nextAttemptAt = now.getTime() + delay;
      if (row.attempts >= policy.maxAttempts) {
        row.parkedAt = now;
        parked.push(toParked(row));
      }
    }
    return parked;
  }
}

function toParked(row: InMemoryOutboxRow): ParkedOutboxRow {
  const { id, message } = row.record;
  return {
    id,
    messageId: message.messageId,
    exchange: message.exchange,
    routingKey: message.routingKey,
    type: message.type,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt,
    parkedAt: row.parkedAt as Date,
  };
}
