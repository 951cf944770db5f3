import { Logger } from '@nestjs/common';
import { RetentionOptions } from '../saga-core.options';
import { PruneResult, RetentionStore } from './retention-store.port';

/** Rows deleted per statement: short transactions, no long lock on either table. */
const BATCH = 5_000;
/** Batches per pass at most, so one pass never runs for long. */
const MAX_BATCHES = 20;

/**
 * Keeps the inbox and outbox tables bounded: every `intervalMs`, deletes inbox ids handled
 * longer ago than the inbox retention (past any redelivery, so the dedup they provide is no
 * longer needed) and outbox rows sent longer ago than the outbox retention. Instances on one
 * database take turns through an advisory lock; a pass that finds it taken does nothing.
 */
export class RetentionJob {
  private readonly logger = new Logger(RetentionJob.name);
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<PruneResult | null> | null = null;

  constructor(
    private readonly store: RetentionStore,
    private readonly options: RetentionOptions,
  ) {}

  start(): void {
    if (this.timer || this.options.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass?.catch(() => undefined);
  }

  /** One pass; null when another instance held the turn. Batches until nothing is left. */
  async runOnce(): Promise<PruneResult | null> {
    const total: PruneResult = { inbox: 0, outbox: 0, joins: 0 };
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const pruned = await this.store.prune(
        this.options.inboxRetentionMs,
        this.options.outboxRetentionMs,
        BATCH,
      );
      if (!pruned) return batch === 0 ? null : total;
      total.inbox += pruned.inbox;
      total.outbox += pruned.outbox;
      total.joins += pruned.joins;
      if (Math.max(pruned.inbox, pruned.outbox, pruned.joins) < BATCH) break;
    }
    return total;
  }

  private async tick(): Promise<void> {
    if (this.pass) return;
    this.pass = this.runOnce();
    try {
      await this.pass;
    } catch (error) {
      this.logger.warn(`Retention pass failed: ${error instanceof Error ? error.message : error}`);
    } finally {
      this.pass = null;
    }
  }
}
