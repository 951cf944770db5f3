import { OutgoingMessage } from '../transport/message-envelope';

export const OUTBOX_STORE = Symbol('OUTBOX_STORE');

/** A row of the outbox, claimed for publishing. */
export interface OutboxRecord {
  id: string;
  message: OutgoingMessage;
}

/** A row the broker would not take, and why: it counts as one of the row's tries. */
export interface PublishFailure {
  id: string;
  error: string;
}

/**
 * What a publish of claimed rows came to. Rows in neither list (the broker connection was lost
 * meanwhile: not the row's fault) stay as they were, and are offered again at once.
 */
export interface PublishOutcome {
  confirmed: OutboxRecord[];
  failed: PublishFailure[];
}

/** How a failing row is retried: with backoff, then parked after `maxAttempts` tries. */
export interface OutboxRetryPolicy {
  maxAttempts: number;
  /** The wait after the first failure; it doubles after each one. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

/** A row that was never published, kept for an operator: what it is and why it failed. */
export interface ParkedOutboxRow {
  id: string;
  messageId: string;
  exchange: string;
  routingKey: string;
  type: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  parkedAt: Date;
}

/** How one relay batch went. */
export interface RelayBatchResult {
  sent: number;
  /** Rows whose try failed: they now wait for their next try, or are parked. */
  failed: number;
  /** Rows whose last try this was. */
  parked: ParkedOutboxRow[];
}

/** The relay's view of the outbox table, and the operator's view of its parked rows. */
export interface OutboxStore {
  /**
   * Claims up to `limit` rows that may be published (`FOR UPDATE SKIP LOCKED`, so relays on
   * several instances never take the same row): unsent, not parked, not waiting for their next
   * try, and at least `minAgeMs` old (younger ones are being published by the process that
   * committed them). Hands them to `publish`, marks those it confirmed as sent and records the
   * failures (`recordFailures`), all in the same transaction.
   */
  relayBatch(
    limit: number,
    publish: (records: OutboxRecord[]) => Promise<PublishOutcome>,
    minAgeMs: number,
    policy: OutboxRetryPolicy,
  ): Promise<RelayBatchResult>;

  /** Marks rows the broker confirmed as sent; rows already marked stay as they are. */
  markSent(ids: readonly string[]): Promise<void>;

  /**
   * Counts one try of each row, keeps its error, sets its next try after the backoff, and
   * parks the rows whose tries are spent; returns those. Sent or parked rows are left alone.
   */
  recordFailures(
    failures: readonly PublishFailure[],
    policy: OutboxRetryPolicy,
  ): Promise<ParkedOutboxRow[]>;

  /** Rows not yet sent, parked ones included (for /metrics and quiescence checks). */
  pendingCount(): Promise<number>;

  /** Rows parked and not released. */
  parkedCount(): Promise<number>;

  /** Parked rows, oldest first: for an operator, or a dashboard. */
  parkedRows(limit?: number): Promise<ParkedOutboxRow[]>;

  /**
   * Releases parked rows (all of them when `ids` is omitted): their tries start again from
   * zero and the relay publishes them on its next pass. Returns how many were released.
   */
  releaseParked(ids?: readonly string[]): Promise<number>;
}
