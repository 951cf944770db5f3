import { OutgoingMessage } from '../transport/message-envelope';

export const OUTBOX_STORE = Symbol('OUTBOX_STORE');

/** A row of the outbox, claimed for publishing. */
export interface OutboxRecord {
  id: string;
  message: OutgoingMessage;
}

/** The relay's view of the outbox table. */
export interface OutboxStore {
  /**
   * Claims up to `limit` unsent rows (`FOR UPDATE SKIP LOCKED`, so relays on several
   * instances never take the same row), hands them to `publish`, and marks those it
   * published as sent in the same transaction. Rows `publish` did not confirm stay unsent.
   * Returns how many were sent. Only rows at least `minAgeMs` old are taken: younger ones
   * are being published by the process that committed them.
   */
  relayBatch(
    limit: number,
    publish: (records: OutboxRecord[]) => Promise<OutboxRecord[]>,
    minAgeMs?: number,
  ): Promise<number>;

  /** Marks rows the broker confirmed as sent; rows already marked stay as they are. */
  markSent(ids: readonly string[]): Promise<void>;

  /** Rows not yet sent (for /metrics and quiescence checks). */
  pendingCount(): Promise<number>;
}
