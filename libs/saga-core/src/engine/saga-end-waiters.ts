import { ServiceBusyError } from '../errors/service-busy.error';
import { SagaInstance } from '../model/saga-instance';
import { isTerminal } from '../model/saga-status';

type Waiter = (ended?: SagaInstance) => void;

/** This process's write of a saga still going on, settling once it has (never rejecting). */
export type WriteUnderWay = (sagaId: string) => Promise<unknown> | null;

/** What a client waits before opening another wait, when too many are open. */
const BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * Requests waiting for a saga to end. A wait holds no connection while it waits: it reads the
 * saga once, then sleeps until the saga's end is announced (by this process's commit, or by
 * the database's notification of another's) or its time runs out, and reads it once more only
 * if it has to. At most `maxOpen` waits are open at once; past that, a wait fails with a
 * `ServiceBusyError` (503 and Retry-After) instead of piling up.
 *
 * The database's notification of an end and this process's own commit of it race: the
 * notification often comes first, and the wait would read the saga again although this
 * process is about to hand it over. So a notification of a saga this process is writing
 * (`underWay`) wakes its waiters only once that write has settled: the saga as committed is
 * then theirs, and they read it again only if that write did not end it.
 */
export class SagaEndWaiters {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private open = 0;

  constructor(
    private readonly find: (sagaId: string) => Promise<SagaInstance | null>,
    private readonly maxOpen?: number,
  ) {}

  /** This process's writer tells which saga it is writing (none until it does). */
  private underWay: WriteUnderWay = () => null;

  followWrites(underWay: WriteUnderWay): void {
    this.underWay = underWay;
  }

  /** Waits open at this moment. */
  get openWaits(): number {
    return this.open;
  }

  /** The saga once it has ended, or as it is when `timeoutMs` runs out. */
  async wait(sagaId: string, timeoutMs: number): Promise<SagaInstance | null> {
    if (timeoutMs > 0 && this.maxOpen !== undefined && this.open >= this.maxOpen) {
      throw new ServiceBusyError(
        `${this.open} waits are open already, the most this process keeps`,
        BUSY_RETRY_AFTER_SECONDS,
      );
    }
    this.open++;
    let wake: Waiter = () => undefined;
    const woken = new Promise<SagaInstance | undefined>((resolve) => (wake = resolve));
    const waiters = this.waiters.get(sagaId) ?? new Set<Waiter>();
    waiters.add(wake);
    this.waiters.set(sagaId, waiters);
    const timer = setTimeout(() => wake(), Math.max(0, timeoutMs));
    try {
      // Registered before the first read, so an end committed in between is not missed.
      const current = await this.find(sagaId);
      if (!current || isTerminal(current.status) || timeoutMs <= 0) return current;
      return (await woken) ?? (await this.find(sagaId));
    } finally {
      this.open--;
      clearTimeout(timer);
      waiters.delete(wake);
      if (waiters.size === 0) this.waiters.delete(sagaId);
    }
  }

  /** `ended` is the saga as this process committed it; without it, waiters read it again. */
  wake(sagaId: string, ended?: SagaInstance): void {
    const waiters = this.waiters.get(sagaId);
    if (!waiters) return;
    const writing = ended ? null : this.underWay(sagaId);
    if (!writing) {
      for (const wake of waiters) wake(ended);
      return;
    }
    // The writer hands the committed saga over in the reactions of its write's end: a turn
    // later, a waiter it did not wake reads the saga again.
    const later = () => setImmediate(() => waiters.forEach((wake) => wake()));
    void writing.then(later, later);
  }
}
