import { isTransientFailure } from '../../errors/transient-failure';

/** Waits between attempts at a message held through an outage: doubling, up to the cap. */
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

export interface HoldOptions {
  /** False once the delivery cannot be settled any more (channel closed) or the consumer stops. */
  stillHeld(): boolean;
  /** Called once, when the first attempt failed for an outage. */
  onHold(error: unknown): void;
  sleep?(ms: number): Promise<void>;
}

/**
 * Runs a message's handler; while it fails because a server it needs is unreachable (the
 * database is down), keeps the message and tries again with backoff instead of requeueing it:
 * each requeue counts towards the delivery limit, and an outage longer than a few
 * redeliveries would dead-letter messages that are perfectly good. Gives up (rethrows) once
 * the delivery is no longer held, since the broker then redelivers it anyway, and at once for
 * any other error.
 */
export async function handleThroughOutage(
  handle: () => Promise<void>,
  options: HoldOptions,
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    try {
      await handle();
      return;
    } catch (error) {
      if (!isTransientFailure(error) || !options.stillHeld()) throw error;
      if (delay === FIRST_DELAY_MS) options.onHold(error);
      await sleep(delay);
      if (!options.stillHeld()) throw error;
    }
  }
}
