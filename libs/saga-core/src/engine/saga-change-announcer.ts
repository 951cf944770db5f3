import { Logger } from '@nestjs/common';
import { SagaChange } from '../persistence/saga-store.port';

/** How long a change waits for others to share its notification. */
const GATHER_MS = 50;

/**
 * Announces committed transitions for live views, many to a notification: a few tens of
 * milliseconds of changes are gathered, the last status of each saga kept, and sent in one
 * statement. Best effort: a failed announcement is dropped (a view reads the saga again on
 * its next change), and reported once per run of failures.
 */
export class SagaChangeAnnouncer {
  private readonly logger = new Logger(SagaChangeAnnouncer.name);
  private pending = new Map<string, SagaChange>();
  private timer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(private readonly announce: (changes: readonly SagaChange[]) => Promise<void>) {}

  add(change: SagaChange): void {
    this.pending.delete(change.sagaId);
    this.pending.set(change.sagaId, change);
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), GATHER_MS);
    this.timer.unref();
  }

  /** Sends what is gathered now; resolves once it is sent (or has failed). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.announce(batch);
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.warn(`could not announce saga changes: ${String(error)}`);
      this.failing = true;
    }
  }
}
