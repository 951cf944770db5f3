import { Logger } from '@nestjs/common';
import { RetryPolicy, retryDelayMs } from '../definition/retry-policy';
import { isTransientFailure } from '../errors/transient-failure';
import { OutboxRecord } from '../messaging/outbox-store.port';
import {
  DefinitionRef,
  DueTimer,
  SagaStore,
  SagaTransaction,
} from '../persistence/saga-store.port';
import { toSafeText } from '../validation/safe-text';
import { AuditEntry, AuditType } from '../model/audit-entry';
import { SagaTransition } from '../model/saga-transition';
import { timerFailuresCounter } from './timer-metrics';

/** A timer whose firing throws: 5 tries, 1 s apart and doubling up to 30 s, then parked. */
export const DEFAULT_TIMER_RETRY: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 1_000,
  multiplier: 2,
  maxDelayMs: 30_000,
  jitter: true,
};

/** Timers handled per pass at most, fired or failed; the next pass goes on. */
const TIMERS_PER_PASS = 100;

/** A timer's transition once committed, with the outbox rows it wrote. */
export interface FiredTimer {
  transition: SagaTransition;
  enqueued: readonly OutboxRecord[];
}

export interface SagaTimerRunnerOptions {
  service: string;
  /** How often a timer whose firing throws is tried, and how far apart, before it is parked. */
  retry: RetryPolicy;
  /** Only these definitions' timers are claimed (the others are another instance's); all when absent. */
  definitions?: () => readonly DefinitionRef[];
  /** What the claimed timer does to its saga, in the claiming transaction; null for nothing. */
  fire(tx: SagaTransaction, timer: DueTimer): Promise<FiredTimer | null>;
  /** Runs after a firing committed (publishes its messages, wakes waiters). */
  committed(fired: FiredTimer): void;
  now?: () => Date;
  random?: () => number;
}

/**
 * Fires due timers, each in a transaction of its own, so that one timer cannot stop the
 * others. A timer whose firing throws (a saga pinned to a version this process does not
 * register, a handler that throws on the saga's data, a state its definition does not fit) is
 * written back in a statement of its own: due again after a backoff, its try counted in
 * `/metrics` and told in the saga's audit log, and parked (kept, never claimed) once its tries
 * run out. It is not claimed again within the same pass, so every other due timer fires on
 * time. A failure of the database itself (unreachable, a lock or statement timeout) is not the
 * timer's fault: it is tried again on a later pass, uncounted.
 */
export class SagaTimerRunner {
  private readonly logger = new Logger(SagaTimerRunner.name);
  private readonly failures = timerFailuresCounter();
  private handle: NodeJS.Timeout | null = null;
  private pass: Promise<void> | null = null;
  private failing = false;
  private stopped = false;

  constructor(
    private readonly store: SagaStore,
    private readonly options: SagaTimerRunnerOptions,
  ) {}

  start(intervalMs: number): void {
    this.stopped = false;
    this.handle = setInterval(() => this.tick(), intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.handle) clearInterval(this.handle);
    this.handle = null;
    await this.pass;
  }

  /** Fires the timers due at `now`; several processes may run this at once (SKIP LOCKED). */
  async fireDue(now = new Date()): Promise<number> {
    const tried: string[] = [];
    let handled = 0;
    while (handled < TIMERS_PER_PASS && !this.stopped) {
      const claim: { timer?: DueTimer } = {};
      let fired: FiredTimer | null;
      try {
        fired = await this.store.transaction(async (tx) => {
          [claim.timer] = await tx.claimDueTimers(now, 1, {
            skip: tried,
            definitions: this.options.definitions?.(),
          });
          return claim.timer ? this.options.fire(tx, claim.timer) : null;
        });
      } catch (error) {
        // The claim itself failed: the database is away, and so is every other timer.
        if (!claim.timer) throw error;
        tried.push(claim.timer.sagaId);
        handled++;
        if (!isTransientFailure(error)) await this.failed(claim.timer, error);
        continue;
      }
      if (!claim.timer) break;
      tried.push(claim.timer.sagaId);
      handled++;
      if (fired) this.options.committed(fired);
    }
    return handled;
  }

  /** Writes the failed try back: due again after its backoff, or parked after the last one. */
  private async failed(timer: DueTimer, error: unknown): Promise<void> {
    const { retry, service } = this.options;
    const attempt = timer.attempts + 1;
    const parked = attempt >= retry.maxAttempts;
    const at = this.options.now?.() ?? new Date();
    const message = toSafeText(error instanceof Error ? error.message : String(error));
    const retryAt = parked
      ? null
      : new Date(at.getTime() + retryDelayMs(retry, attempt, this.options.random));
    const line = (type: AuditType, detail: Record<string, unknown>): AuditEntry => ({
      sagaId: timer.sagaId,
      at,
      type,
      step: null,
      detail: { timer: timer.key, ...detail, error: message },
    });
    const audit = [
      line(AuditType.TIMER_FAILED, { attempt, retryAt: retryAt?.toISOString() ?? null }),
    ];
    if (parked) audit.push(line(AuditType.TIMER_PARKED, { attempts: attempt }));
    const definition = `${timer.definition.name}@${timer.definition.version}`;
    const what = `timer ${timer.key} of saga ${timer.sagaId} (${definition})`;
    try {
      // Nothing is written if a transition replaced the timer meanwhile: that one stands.
      if (!(await this.store.recordTimerFailure({ timer, error: message, retryAt, audit }))) return;
    } catch (recordError) {
      this.logger.error(`could not record the failure of ${what}: ${String(recordError)}`);
      return;
    }
    this.failures.inc({ service, definition, outcome: parked ? 'parked' : 'retried' });
    if (parked) {
      this.logger.error(
        `${what} parked after ${attempt} failed tries (${message}); it fires again only once ` +
          'an operator retries it',
      );
    } else {
      this.logger.warn(
        `${what} failed, try ${attempt} of ${retry.maxAttempts} (${message}); ` +
          `due again at ${retryAt?.toISOString()}`,
      );
    }
  }

  private tick(): void {
    if (this.pass || this.stopped) return;
    this.pass = this.fireDue()
      .then(() => {
        if (this.failing) this.logger.log('timer passes recovered');
        this.failing = false;
      })
      .catch((error: unknown) => {
        // Once per outage, not every tick: the loop keeps polling and recovers by itself.
        if (!this.failing) this.logger.error(`timer pass failed: ${String(error)}`);
        this.failing = true;
      })
      .finally(() => (this.pass = null));
  }
}
