import { Logger } from '@nestjs/common';
import { OutboxStore } from './outbox-store.port';

/**
 * Outbox rows confirmed by the broker, waiting to be marked sent. Marks are written in
 * batches, one statement at a time: a burst of confirms costs a few updates, not one each. A
 * mark that fails to be written only means the row is published again by the backstop.
 */
export class SentMarks {
  private pending: string[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: OutboxStore,
    private readonly logger: Logger,
  ) {}

  add(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.pending.push(...ids);
    this.flushing ??= this.drain();
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
