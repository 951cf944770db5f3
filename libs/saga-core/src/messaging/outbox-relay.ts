import { Logger } from '@nestjs/common';
import { MessageTransport } from '../transport/message-transport';
import { OutboxRecord, OutboxStore } from './outbox-store.port';

export interface OutboxRelayOptions {
  /** Backstop for rows no kick announced: left by a crash or written by another process. */
  pollIntervalMs?: number;
  batchSize?: number;
}

/**
 * Publishes the outbox. A commit that enqueued messages calls `kick()`; kicks are coalesced
 * into one loop per process that goes on while there is more to send, so a burst of commits
 * costs a few passes, not one each. Rows are marked sent only once the broker confirmed them.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private started = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private running: Promise<void> | null = null;
  /** A kick arrived during a pass: its rows may have been committed after the claim. */
  private kickedDuringPass = false;
  private storeFailing = false;

  constructor(
    private readonly store: OutboxStore,
    private readonly transport: MessageTransport,
    options: OutboxRelayOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.batchSize = options.batchSize ?? 100;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.pollTimer = setInterval(() => this.kick(), this.pollIntervalMs);
    this.pollTimer.unref();
    this.kick();
  }

  /** Waits for the pass under way, if any; rows it did not mark stay for the next relay. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    await this.running;
  }

  kick(): void {
    if (!this.started) return;
    if (this.running) {
      this.kickedDuringPass = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.started && !this.running) this.running = this.loop();
    });
  }

  private async loop(): Promise<void> {
    let more: boolean;
    try {
      do {
        this.kickedDuringPass = false;
        const sent = await this.pass();
        more = this.kickedDuringPass || sent >= this.batchSize;
      } while (this.started && more);
    } finally {
      // Cleared in the same tick as the last check, so no kick can fall between the two.
      this.running = null;
    }
  }

  private async pass(): Promise<number> {
    try {
      if (!this.transport.isConnected()) return 0;
      const sent = await this.store.relayBatch(this.batchSize, (records) => this.publish(records));
      if (this.storeFailing) this.logger.log('Outbox relay recovered');
      this.storeFailing = false;
      return sent;
    } catch (error) {
      // Once per outage, not every poll: the database being down is reported elsewhere too.
      if (!this.storeFailing) this.logger.warn(`Outbox relay pass failed: ${describe(error)}`);
      this.storeFailing = true;
      return 0;
    }
  }

  private async publish(records: OutboxRecord[]): Promise<OutboxRecord[]> {
    const results = await Promise.allSettled(
      records.map((record) => this.transport.publish(record.message)),
    );
    const confirmed = records.filter((_, i) => results[i].status === 'fulfilled');
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) {
      this.logger.warn(
        `${records.length - confirmed.length} of ${records.length} outbox messages were not ` +
          `confirmed and stay queued for the next pass; first error: ${describe(failure.reason)}`,
      );
    }
    return confirmed;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
