/**
 * Runs work one at a time, in the order it was asked for: the in-memory stores' stand-in for
 * row locks. Every transaction takes it, so transactions are serialisable.
 */
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }
}
