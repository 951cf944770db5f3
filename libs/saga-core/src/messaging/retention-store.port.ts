export const RETENTION_STORE = Symbol('RETENTION_STORE');

/** Rows one pass removed. */
export interface PruneResult {
  inbox: number;
  outbox: number;
  /** Joins of parallel groups (`InboxTransaction.join`) last touched before the inbox retention. */
  joins: number;
}

/** The retention job's view of the inbox and outbox tables. */
export interface RetentionStore {
  /**
   * Deletes up to `limit` inbox rows processed more than `inboxOlderThanMs` ago and up to
   * `limit` outbox rows sent more than `outboxOlderThanMs` ago, and up to `limit` joins last
   * touched more than `inboxOlderThanMs` ago (their events are past redelivery too). Returns null, deleting
   * nothing, when another instance is running a pass on the same database.
   */
  prune(
    inboxOlderThanMs: number,
    outboxOlderThanMs: number,
    limit: number,
  ): Promise<PruneResult | null>;
}
