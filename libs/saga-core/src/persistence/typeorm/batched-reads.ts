import { AsyncResource } from 'node:async_hooks';

/** Reads in flight at most; the others wait and go together in the next free one. */
const READERS = 2;
/** Keys read together at most. */
const MAX_KEYS = 100;

interface Pending<K, V> {
  key: K;
  resolve: (value: V | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Reads by key that arrive together go to the database together. A read that finds a reader
 * free goes at once, on its own (at 1 in flight nothing waits); those that arrive while both
 * readers are busy are read by the next free one in one statement (`many`), each given what
 * that statement found for its key, or null. If that statement fails, each read goes on its
 * own, side by side, so that a failure is each read's own, as it would have been.
 *
 * A booking's `GET ?wait=` reads its saga when it opens: at 64 bookings in flight, several of
 * those reads meet in one turn of the event loop, and one statement then costs the process one
 * socket write and the database one read transaction for all of them.
 */
export class BatchedReads<K, V> {
  private readonly waiting: Pending<K, V>[] = [];
  private readers = 0;
  /** Readers run in the context this was made in (no request's). */
  private readonly startReader: () => void;

  constructor(
    private readonly one: (key: K) => Promise<V | null>,
    private readonly many: (keys: readonly K[]) => Promise<Map<K, V>>,
    private readonly mostReaders = READERS,
  ) {
    this.startReader = AsyncResource.bind(() => void this.read());
  }

  get(key: K): Promise<V | null> {
    return new Promise<V | null>((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      if (this.readers < this.mostReaders) this.startReader();
    });
  }

  private async read(): Promise<void> {
    this.readers++;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, MAX_KEYS);
        if (batch.length === 1) await this.alone(batch[0]);
        else await this.together(batch);
      }
    } finally {
      this.readers--;
    }
  }

  private async together(batch: Pending<K, V>[]): Promise<void> {
    let found: Map<K, V>;
    try {
      found = await this.many([...new Set(batch.map((p) => p.key))]);
    } catch {
      await Promise.all(batch.map((pending) => this.alone(pending)));
      return;
    }
    for (const pending of batch) pending.resolve(found.get(pending.key) ?? null);
  }

  private async alone(pending: Pending<K, V>): Promise<void> {
    try {
      pending.resolve(await this.one(pending.key));
    } catch (error) {
      pending.reject(error);
    }
  }
}
