import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { OutboxStore } from './outbox-store.port';

/** How long the first confirm of a batch waits for others before the batch is written. */
const DEFAULT_LINGER_MS = 20;

/**
 * Outbox rows confirmed by the broker, waiting to be marked sent. Marks are written in
 * batches, one statement at a time, each batch gathering the confirms of `lingerMs`: under
 * load, a burst of confirms costs one update, not one each; the marks are off every saga's
 * path, and far inside the relay's grace period, so the wait costs nothing. A mark that fails
 * to be written only means the row is published again by the backstop.
 */
export class SentMarks {
  private pending: string[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: OutboxStore,
    private readonly logger: Logger,
    private readonly lingerMs = DEFAULT_LINGER_MS,
  ) {}

  add(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.pending.push(...ids);
    this.flushing ??= sleep(this.lingerMs).then(() => this.drain());
  }

  /** Resolves once every mark added so far is written (or has failed). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, 1_000);
        try {
          await this.store.markSent(batch);
        } catch (error) {
          this.logger.warn(
            `Could not mark ${batch.length} outbox rows sent; they will be published again: ` +
              `${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    } finally {
      this.flushing = null;
    }
  }
}
