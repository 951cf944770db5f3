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

/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2_147_483_647;

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
  /** When the armed pass runs (epoch ms); Infinity while none is armed. */
  private armedAt = Infinity;
  /** The timers this process wrote last, by saga, that no pass has reached yet (epoch ms). */
  private readonly written = new Map<string, number>();
  private intervalMs = 200;
  private maxIntervalMs = 2_000;
  /** Passes in a row that found no due timer. */
  private idlePasses = 0;
  private pass: Promise<void> | null = null;
  private failing = false;
  private stopped = false;
  /** Between `start` and `stop`: passes are armed. */
  private running = false;

  constructor(
    private readonly store: SagaStore,
    private readonly options: SagaTimerRunnerOptions,
  ) {}

  /**
   * Polls every `intervalMs` while passes fire timers, and twice as long after each pass that
   * found none, up to `maxIntervalMs`; a timer this process writes (`scheduled`) wakes it by
   * the timer's time, however long the poll would sleep. The poll is then only the backstop
   * for timers written by other processes, which fire their own.
   */
  start(intervalMs: number, maxIntervalMs = Math.max(intervalMs, 2_000)): void {
    this.stopped = false;
    this.running = true;
    this.intervalMs = intervalMs;
    this.maxIntervalMs = Math.max(intervalMs, maxIntervalMs);
    this.idlePasses = 0;
    this.arm(intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    if (this.handle) clearTimeout(this.handle);
    this.handle = null;
    this.armedAt = Infinity;
    await this.pass;
  }

  /**
   * A saga's timer as this process committed it (null: cleared): a pass runs by its time. A
   * timer replaced before it is due (most step deadlines are) adds no pass of its own, unless
   * it was the earliest when the runner went to sleep.
   */
  scheduled(sagaId: string, fireAt: Date | null): void {
    if (!fireAt) {
      this.written.delete(sagaId);
      return;
    }
    const at = fireAt.getTime();
    this.written.set(sagaId, at);
    // While a pass runs, it arms the next one when it ends, with this in view.
    if (this.running && !this.pass && at < this.armedAt) this.arm(at - Date.now());
  }

  private arm(delayMs: number): void {
    if (this.handle) clearTimeout(this.handle);
    const delay = Math.min(Math.max(0, delayMs), MAX_TIMER_MS);
    this.armedAt = Date.now() + delay;
    this.handle = setTimeout(() => this.tick(), delay);
  }

  /** The next poll: `intervalMs`, doubled for each idle pass in a row, capped; sooner if due. */
  private armNext(): void {
    const backoff = this.intervalMs * 2 ** Math.min(Math.max(0, this.idlePasses - 1), 30);
    let next = Date.now() + Math.min(backoff, this.maxIntervalMs);
    for (const at of this.written.values()) next = Math.min(next, at);
    this.arm(next - Date.now());
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
    this.scheduled(timer.sagaId, retryAt);
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
    this.handle = null;
    this.armedAt = Infinity;
    if (this.pass || this.stopped) return;
    const now = new Date();
    // What this process wrote due by now, this pass fires (a failed firing is written again).
    for (const [sagaId, at] of this.written) if (at <= now.getTime()) this.written.delete(sagaId);
    this.pass = this.fireDue(now)
      .then((handled) => {
        if (this.failing) this.logger.log('timer passes recovered');
        this.failing = false;
        this.idlePasses = handled === 0 ? this.idlePasses + 1 : 0;
      })
      .catch((error: unknown) => {
        // Once per outage, not every tick: the loop keeps polling and recovers by itself.
        if (!this.failing) this.logger.error(`timer pass failed: ${String(error)}`);
        this.failing = true;
        this.idlePasses = 0;
      })
      .finally(() => {
        this.pass = null;
        if (!this.stopped) this.armNext();
      });
  }
}
