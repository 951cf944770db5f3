/**
 * How an app writes the deliveries that arrive together: a participant's commands and events
 * (`GroupCommit`), the engine's replies and events for different sagas (`ClaimedWrites`).
 */
export interface GroupCommitOptions {
  /** At most this many deliveries in one transaction; 1 writes each on its own. Default 32. */
  maxMessages?: number;
}

export const DEFAULT_GROUP_COMMIT_MESSAGES = 32;
