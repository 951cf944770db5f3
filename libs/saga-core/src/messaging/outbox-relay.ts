import { Logger } from '@nestjs/common';
import { FaultHooks, FaultPoint, NO_FAULTS } from '../model/fault-hooks';
import { MessageTransport } from '../transport/message-transport';
import { outboxParkedCounter, trackParkedRows } from './outbox-metrics';
import {
  OutboxRecord,
  OutboxRetryPolicy,
  OutboxStore,
  ParkedOutboxRow,
  PublishFailure,
  PublishOutcome,
} from './outbox-store.port';
import { lingerWithin, SentMarks } from './sent-marks';

const MAX_TIMER_MS = 2_147_483_647; // setTimeout's longest delay

export interface OutboxRelayOptions {
  /** Where fault injection plugs in (`FaultPoint.AFTER_PUBLISH_BEFORE_MARK_SENT`); none by default. */
  faults?: FaultHooks;
  /** Backstop for rows no one published: left by a crash or written by another process. */
  pollIntervalMs?: number;
  /**
   * While passes find nothing to publish, each poll waits twice as long as the last, up to
   * this; a pass that takes rows, fails, or finds the broker away, and a publish after a commit
   * that fails, bring it back to `pollIntervalMs`. Default 8 × `pollIntervalMs` (2 000 ms).
   */
  maxPollIntervalMs?: number;
  batchSize?: number;
  /**
   * How old an unsent row must be before the polling backstop takes it: younger rows are
   * being published by the process that committed them.
   */
  graceMs?: number;
  /** Tries of a row the broker does not take before it is parked. Default 10. */
  maxAttempts?: number;
  /** Wait before the second try of a failing row; it doubles up to `maxRetryDelayMs`. Default 1 000. */
  retryDelayMs?: number;
  /** Default 60 000. */
  maxRetryDelayMs?: number;
  /** Labels this relay's metrics. Default `saga`. */
  service?: string;
}

/**
 * Publishes the outbox. The process that commits messages hands them to `publishCommitted`,
 * which publishes them at once and marks them sent once the broker confirmed them. Rows that
 * this misses (a crash, a broker outage, rows written by a process with no relay) are picked
 * up by a polling pass once older than a grace period. `kick()` asks for a pass now, with no
 * grace, for callers that only enqueue. Passes are coalesced into one loop per process.
 *
 * A row the broker will not take (no queue for it, no queue bound for an event) is tried again
 * with backoff, and parked after `maxAttempts` tries: kept, logged, counted in `/metrics`
 * (`saga_outbox_parked_total`, `saga_outbox_parked_rows`), and never offered again until an
 * operator releases it (`OutboxStore.releaseParked`). Rows waiting for their next try and
 * parked rows are not claimed, so they never hold up the rows behind them. A failure while the
 * broker connection is down is the outage's, not the row's: it does not count as a try.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly pollIntervalMs: number;
  private readonly maxPollIntervalMs: number;
  /** Loops in a row that found nothing to do; `loopBusy`: the one running did. */
  private idlePasses = 0;
  private loopBusy = false;
  private readonly batchSize: number;
  private readonly graceMs: number;
  private readonly policy: OutboxRetryPolicy;
  private readonly service: string;
  private readonly parkedTotal = outboxParkedCounter();
  private untrackParked: (() => void) | null = null;
  private readonly marks: SentMarks;
  private readonly publishing = new Set<Promise<void>>();
  private started = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private running: Promise<void> | null = null;
  /** A kick arrived during a pass: its rows may have been committed after the claim. */
  private kickedDuringPass = false;
  /** The next pass takes rows of any age (a kick asked for it). */
  private eager = false;
  private storeFailing = false;
  private publishFailing = false;
  private readonly faults: FaultHooks;

  constructor(
    private readonly store: OutboxStore,
    private readonly transport: MessageTransport,
    options: OutboxRelayOptions = {},
  ) {
    this.faults = options.faults ?? NO_FAULTS;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.maxPollIntervalMs = Math.max(
      this.pollIntervalMs,
      options.maxPollIntervalMs ?? 8 * this.pollIntervalMs,
    );
    this.batchSize = options.batchSize ?? 100;
    this.graceMs = options.graceMs ?? 2_000;
    this.policy = {
      maxAttempts: options.maxAttempts ?? 10,
      retryDelayMs: options.retryDelayMs ?? 1_000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
    };
    this.service = options.service ?? 'saga';
    this.marks = new SentMarks(store, this.logger, lingerWithin(this.graceMs));
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.untrackParked = trackParkedRows(this.service, () => this.store.parkedCount());
    // A series from the start, so that a rate over it is defined before the first parking.
    this.parkedTotal.inc({ service: this.service }, 0);
    this.kick();
  }

  /** Waits for the pass and the publishes under way; rows they did not mark stay unsent. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.untrackParked?.();
    this.untrackParked = null;
    await Promise.allSettled([...this.publishing]);
    await this.marks.flush();
    await this.running;
  }

  /**
   * Publishes rows this process has just committed, without a round trip to read them back.
   * Never rejects: a message not confirmed stays unsent for the backstop.
   */
  publishCommitted(records: readonly OutboxRecord[]): void {
    if (!this.started || records.length === 0) return;
    const work = this.publishNow(records);
    this.publishing.add(work);
    void work.finally(() => this.publishing.delete(work));
  }

  /**
   * Resolves once no pass is scheduled or running and no publish after a commit is under way:
   * what a test (or a shutdown) waits on instead of a pause.
   */
  async idle(): Promise<void> {
    while (this.scheduled || this.running || this.publishing.size > 0) {
      if (this.scheduled) await new Promise((resolve) => setImmediate(resolve));
      await Promise.allSettled([this.running, ...this.publishing]);
    }
  }

  kick(): void {
    this.eager = true;
    this.schedule();
  }

  private schedule(): void {
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

  private async publishNow(records: readonly OutboxRecord[]): Promise<void> {
    if (!this.transport.isConnected()) return;
    const { confirmed, failed: failures } = await this.publish([...records]);
    this.marks.add(confirmed.map((record) => record.id));
    if (failures.length > 0) await this.recordFailures(failures);
    const failed = confirmed.length < records.length;
    if (failed) this.pollSoon();
    if (failed && !this.publishFailing) {
      this.logger.warn('Publishing after commit failed; the polling relay will retry');
    }
    this.publishFailing = failed;
  }

  private async loop(): Promise<void> {
    let more: boolean;
    // Once a kick asked for rows of any age, the loop takes them until none is left.
    let minAgeMs = this.graceMs;
    try {
      do {
        this.kickedDuringPass = false;
        if (this.eager) minAgeMs = 0;
        this.eager = false;
        // A full batch may have more rows behind it; its failed rows now wait for their next try.
        const taken = await this.pass(minAgeMs);
        if (taken > 0) this.loopBusy = true;
        more = this.kickedDuringPass || taken >= this.batchSize;
      } while (this.started && more);
    } finally {
      // Cleared in the same tick as the last check, so no kick can fall between the two.
      this.running = null;
      this.idlePasses = this.loopBusy ? 0 : this.idlePasses + 1;
      this.loopBusy = false;
      this.armPoll();
    }
  }

  /** The next backstop poll: `pollIntervalMs`, doubled for each idle pass in a row, capped. */
  private armPoll(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    if (!this.started) return;
    const backoff = this.pollIntervalMs * 2 ** Math.min(Math.max(0, this.idlePasses - 1), 30);
    const delay = Math.min(backoff, this.maxPollIntervalMs, MAX_TIMER_MS);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      this.schedule();
    }, delay);
    this.pollTimer.unref();
  }

  /** Polls at the base interval again: a publish failed, so the backstop has work coming. */
  private pollSoon(): void {
    this.idlePasses = 0;
    if (this.running) this.loopBusy = true;
    else this.armPoll();
  }

  private async pass(minAgeMs: number): Promise<number> {
    try {
      if (!this.transport.isConnected()) {
        // Polled at the base interval, so that the rows left meanwhile go out soon after.
        this.loopBusy = true;
        return 0;
      }
      const { sent, failed, parked } = await this.store.relayBatch(
        this.batchSize,
        (records) => this.publish(records),
        minAgeMs,
        this.policy,
      );
      this.reportParked(parked);
      if (this.storeFailing) this.logger.log('Outbox relay recovered');
      this.storeFailing = false;
      return sent + failed;
    } catch (error) {
      // Once per outage, not every poll: the database being down is reported elsewhere too.
      if (!this.storeFailing) this.logger.warn(`Outbox relay pass failed: ${describe(error)}`);
      this.storeFailing = true;
      this.loopBusy = true;
      return 0;
    }
  }

  private async publish(records: OutboxRecord[]): Promise<PublishOutcome> {
    const results = await Promise.allSettled(
      records.map((record) => this.transport.publish(record.message)),
    );
    const confirmed = records.filter((_, i) => results[i].status === 'fulfilled');
    if (confirmed.length > 0) this.faults.reach(FaultPoint.AFTER_PUBLISH_BEFORE_MARK_SENT);
    const failure = results.find((result) => result.status === 'rejected');
    if (!failure) return { confirmed, failed: [] };
    this.logger.warn(
      `${records.length - confirmed.length} of ${records.length} outbox messages were not ` +
        `confirmed and stay queued; first error: ${describe(failure.reason)}`,
    );
    // Lost with the connection: the outage's fault, not the rows'; they are tried again as are.
    if (!this.transport.isConnected()) return { confirmed, failed: [] };
    const failed: PublishFailure[] = [];
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        failed.push({ id: records[i].id, error: describe(result.reason) });
      }
    });
    return { confirmed, failed };
  }

  /** Failures of rows published right after their commit, outside a relay batch. */
  private async recordFailures(failures: PublishFailure[]): Promise<void> {
    try {
      this.reportParked(await this.store.recordFailures(failures, this.policy));
    } catch (error) {
      // The backstop takes the rows again; their try is simply not counted.
      this.logger.warn(`Could not record failed outbox publishes: ${describe(error)}`);
    }
  }

  private reportParked(parked: readonly ParkedOutboxRow[]): void {
    if (parked.length === 0) return;
    this.parkedTotal.inc({ service: this.service }, parked.length);
    for (const row of parked) {
      this.logger.error(
        `Parked outbox row ${row.id} (${row.type} ${row.messageId} to ` +
          `${row.exchange || '(default exchange)'} ${row.routingKey}) after ${row.attempts} ` +
          `tries; it waits for an operator to release it: ${row.lastError ?? 'no error'}`,
      );
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
