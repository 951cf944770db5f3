/**
 * How an app writes the deliveries that arrive together: a participant's commands and events
 * (`GroupCommit`), the engine's replies and events for different sagas (`ClaimedWrites`).
 */
export interface GroupCommitOptions {
  /** At most this many deliveries in one transaction; 1 writes each on its own. Default 32. */
  maxMessages?: number;
  /**
   * The engine only: how long a decision that sends nothing and leaves its saga waiting (the
   * first reply of steps that run at once) waits for the saga's next message, to be written
   * with it in one transition (`LingeringDecisions`). 0 writes each at once. Default 10 ms.
   */
  lingerMs?: number;
}

export const DEFAULT_GROUP_COMMIT_MESSAGES = 32;
export const DEFAULT_LINGER_MS = 10;
