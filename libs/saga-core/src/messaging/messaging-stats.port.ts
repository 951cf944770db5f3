export const MESSAGING_STATS = Symbol('MESSAGING_STATS');

/** This app's outbox and inbox, as an operator watches them. */
export interface MessagingStatsSnapshot {
  /** Outbox rows not yet confirmed by the broker. */
  outboxPending: number;
  /** Age of the oldest of them; null when there is none. */
  outboxOldestAgeSeconds: number | null;
  /** Handled-message ids the inbox keeps; counted up to a cap, past which `inboxRowsCapped`. */
  inboxRows: number;
  inboxRowsCapped: boolean;
}

export interface MessagingStats {
  snapshot(): Promise<MessagingStatsSnapshot>;
}
