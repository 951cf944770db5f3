import { Logger } from '@nestjs/common';
import { OutboxStore } from './outbox-store.port';

/** How long a batch of confirms gathers before it is written, at most. */
const MAX_LINGER_MS = 200;
const MAX_BATCH = 1_000;

/**
 * The linger for a relay whose backstop takes rows unsent for `graceMs`: well inside it, so
 * the backstop never publishes again a row that is only waiting for its mark.
 */
export const lingerWithin = (graceMs: number): number => Math.min(MAX_LINGER_MS, graceMs / 4);

/**
 * Outbox rows confirmed by the broker, waiting to be marked sent. Marks are written one batch
 * at a time, and every batch gathers the confirms of `lingerMs` before it is written: under
 * load a process writes at most one mark statement (and one commit) per `lingerMs`, however
 * many confirms arrive. The marks are off every saga's path, and far inside the relay's grace
 * period, so the wait costs nothing. A mark that fails to be written only means the row is
 * published again by the backstop.
 */
export class SentMarks {
  private pending: string[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: OutboxStore,
    private readonly logger: Logger,
    private readonly lingerMs = MAX_LINGER_MS,
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
        await new Promise((resolve) => setTimeout(resolve, this.lingerMs));
        const batch = this.pending.splice(0, MAX_BATCH);
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
