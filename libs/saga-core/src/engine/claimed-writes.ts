import { AsyncResource } from 'node:async_hooks';
import { SagaTransition } from '../model/saga-transition';
import { stampTraceContext } from '../observability/trace-context';
import {
  ClaimedWrite,
  MessageClaim,
  SagaStore,
  StandaloneWrite,
} from '../persistence/saga-store.port';

/** Writes in flight at most: one stuck behind a lock does not hold up every other saga. */
const WRITERS = 2;

interface Pending {
  write: ClaimedWrite;
  /** The write on its own, in the context it was submitted from. */
  alone: () => Promise<StandaloneWrite>;
  resolve: (result: StandaloneWrite) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for the engine's transitions decided on a copy of their saga
 * (`SagaStore.applyClaimed`). A write that finds a writer free goes at once, alone: at 1 in
 * flight nothing waits. The writes that arrive while both writers are busy are written by the
 * next free one together, up to `maxWrites`, in one statement and one commit
 * (`applyClaimedMany`), each hanging on its own saga's compare-and-set as it would alone. If
 * that statement fails, nothing of it was written, and each write goes on its own, side by
 * side, so one saga's trouble (a lock held by a frozen peer, a constraint) stays its own.
 * A saga's transitions never meet in one statement: the writer sends a saga's next message only
 * once the write of the one before it settled.
 */
export class ClaimedWrites {
  private readonly waiting: Pending[] = [];
  private writers = 0;
  /** Writers run in the context this was made in (no delivery's): see `apply`. */
  private readonly startWriter: () => void;

  constructor(
    private readonly store: SagaStore,
    private readonly maxWrites: number,
  ) {
    this.startWriter = AsyncResource.bind(() => void this.write());
  }

  apply(
    transition: SagaTransition,
    expectedVersion: number,
    claim: MessageClaim,
  ): Promise<StandaloneWrite> {
    const alone = () => this.store.applyClaimed(transition, expectedVersion, claim);
    if (this.maxWrites <= 1 || !this.store.applyClaimedMany) return alone();
    // Stamped here, in the delivery's context: a statement for several carries no one's.
    stampTraceContext(transition.messages);
    return new Promise<StandaloneWrite>((resolve, reject) => {
      const write = { transition, expectedVersion, claim };
      this.waiting.push({ write, alone: AsyncResource.bind(alone), resolve, reject });
      if (this.writers < WRITERS) this.startWriter();
    });
  }

  private async write(): Promise<void> {
    this.writers++;
    try {
      while (this.waiting.length > 0) await this.commit(this.waiting.splice(0, this.maxWrites));
    } finally {
      this.writers--;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    if (batch.length === 1 || !this.store.applyClaimedMany) {
      await Promise.all(batch.map((p) => this.alone(p)));
      return;
    }
    let results: StandaloneWrite[];
    try {
      results = await this.store.applyClaimedMany(batch.map((p) => p.write));
    } catch {
      await Promise.all(batch.map((p) => this.alone(p)));
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]));
  }

  private async alone(pending: Pending): Promise<void> {
    try {
      pending.resolve(await pending.alone());
    } catch (error) {
      pending.reject(error);
    }
  }
}
