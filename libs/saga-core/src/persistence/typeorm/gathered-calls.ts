import { AsyncResource } from 'node:async_hooks';

/** Calls in flight at most; the others wait and go together in the next free one. */
const CALLERS = 2;
/** Calls made together at most. */
const MAX_TOGETHER = 100;

interface Pending<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Calls to the database that arrive together go in one statement. A call that finds one of
 * two callers free goes at once, on its own (`one`): at 1 in flight nothing waits. The calls
 * that arrive while both are busy go together in the next free one (`many`), which answers
 * each, or leaves one to be made on its own (`undefined`). If `many` fails, each call goes on
 * its own, side by side, so that a failure is each call's own, as it would have been.
 *
 * At 64 bookings in flight, several starts and several first reads of `GET ?wait=` meet in one
 * turn of the event loop: one statement then costs the process one socket write and the
 * database one transaction (for a start, one flushed commit) for all of them.
 */
export class GatheredCalls<I, R> {
  private readonly waiting: Pending<I, R>[] = [];
  private callers = 0;
  /** Callers run in the context this was made in (no request's). */
  private readonly startCaller: () => void;

  constructor(
    private readonly one: (item: I) => Promise<R>,
    private readonly many: (items: readonly I[]) => Promise<readonly (R | undefined)[]>,
    private readonly mostCallers = CALLERS,
  ) {
    this.startCaller = AsyncResource.bind(() => void this.call());
  }

  make(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.callers < this.mostCallers) this.startCaller();
    });
  }

  private async call(): Promise<void> {
    this.callers++;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, MAX_TOGETHER);
        if (batch.length === 1) await this.alone(batch[0]);
        else await this.together(batch);
      }
    } finally {
      this.callers--;
    }
  }

  private async together(batch: Pending<I, R>[]): Promise<void> {
    let results: readonly (R | undefined)[];
    try {
      results = await this.many(batch.map((p) => p.item));
    } catch {
      await Promise.all(batch.map((pending) => this.alone(pending)));
      return;
    }
    const left: Pending<I, R>[] = [];
    batch.forEach((pending, i) => {
      const result = results[i];
      if (result === undefined) left.push(pending);
      else pending.resolve(result);
    });
    await Promise.all(left.map((pending) => this.alone(pending)));
  }

  private async alone(pending: Pending<I, R>): Promise<void> {
    try {
      pending.resolve(await this.one(pending.item));
    } catch (error) {
      pending.reject(error);
    }
  }
}
