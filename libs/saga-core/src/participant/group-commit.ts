import { AsyncResource } from 'node:async_hooks';
import { isTransientFailure } from '../errors/transient-failure';
import { FaultHooks, FaultPoint } from '../model/fault-hooks';
import type { Inbox, InboxTransaction } from './inbox.port';

export { DEFAULT_GROUP_COMMIT_MESSAGES } from '../model/group-commit-options';
export type { GroupCommitOptions } from '../model/group-commit-options';

/** Thrown by a seal that can tell which member the group failed on (a copy handled already). */
export class MemberFailed extends Error {
  constructor(readonly index: number) {
    super(`member ${index} of the group failed`);
  }
}

/**
 * Writes what a group's members did, once all of them have worked, before the commit: their
 * inbox and outbox rows, in one statement. Throwing rolls the group back: a `MemberFailed`
 * blames one member, anything else sends every member on its own.
 */
export type GroupSeal<P, R> = (tx: InboxTransaction, done: readonly P[]) => Promise<R[]>;

/** One delivery waiting for its group: its work in a shared transaction, or on its own. */
interface Member<P, R> {
  /** The handler's work in the group's transaction; the seal writes what it sends. */
  together: (tx: InboxTransaction) => Promise<P>;
  /** The delivery's own transaction, as it is written when it is alone. */
  alone: () => Promise<R>;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for a participant's inbound deliveries: what arrives while a transaction is
 * being written waits for it, then all of it is handled in the next transaction, one after
 * the other, the group's inbox and outbox rows written in one statement (the seal) and one
 * `COMMIT` (one WAL flush) for the group. A busy participant then pays a commit per group
 * instead of a commit per message, and the rows its handlers hold (a flight's seats, an
 * account) are locked once per group instead of once per message, which is what limits a
 * participant whose work meets on a few such rows. A delivery that arrives alone is written
 * alone, as before: at 1 in flight this costs nothing.
 *
 * One group is written at a time, so two groups of one process never wait on each other's
 * rows. A member that fails (its handler throws, its answer is written apart, or the inbox
 * has it already) rolls the group back: it is then handled on its own, and the others form
 * the next group, so its failure costs them one try and never their effects. A failure no
 * member can be blamed for (the commit, the connection, a lock timeout) sends every member
 * on its own, side by side.
 * Each member's work runs in the asynchronous context it was submitted from, so logs and
 * traces stay its own.
 */
export class GroupCommit<P, R> {
  private readonly waiting: Member<P, R>[] = [];
  private writing = false;
  /**
   * The writer runs in the context this was made in (no delivery's), so the seal stamps no
   * member's outgoing messages with another member's trace.
   */
  private readonly startWriting: () => void;

  constructor(
    private readonly inbox: Inbox,
    private readonly consumer: string,
    private readonly maxMessages: number,
    private readonly seal: GroupSeal<P, R>,
    private readonly hooks: FaultHooks,
  ) {
    this.startWriting = AsyncResource.bind(() => void this.write());
  }

  /** Handles one delivery with the others that arrive meanwhile; settles once written. */
  submit(together: (tx: InboxTransaction) => Promise<P>, alone: () => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({
        together: AsyncResource.bind(together),
        alone: AsyncResource.bind(alone),
        resolve,
        reject,
      });
      if (!this.writing) this.startWriting();
    });
  }

  private async write(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        await this.commit(this.waiting.splice(0, this.maxMessages));
      }
    } finally {
      this.writing = false;
    }
  }

  private async commit(group: Member<P, R>[]): Promise<void> {
    if (group.length === 1) return this.alone(group[0]);
    let current = -1;
    let results: R[];
    try {
      results = await this.inbox.transaction(this.consumer, async (tx) => {
        const done: P[] = [];
        for (current = 0; current < group.length; current++) {
          done.push(await group[current].together(tx));
        }
        current = -1;
        const sealed = await this.seal(tx, done);
        this.hooks.reach(FaultPoint.BEFORE_COMMIT);
        return sealed;
      });
    } catch (error) {
      if (error instanceof MemberFailed) current = error.index;
      if (current < 0 || isTransientFailure(error)) {
        // Side by side, as they would have run without a group: under a frozen peer's locks
        // each waits out its own lock timeout, not the sum of the others'.
        await Promise.all(group.map((member) => this.alone(member)));
        return;
      }
      const failed = group[current];
      // The members after it were never tried; those before it were, and were rolled back.
      this.waiting.unshift(...group.filter((member) => member !== failed));
      return this.alone(failed);
    }
    group.forEach((member, i) => member.resolve(results[i]));
  }

  private async alone(member: Member<P, R>): Promise<void> {
    try {
      member.resolve(await member.alone());
    } catch (error) {
      member.reject(error);
    }
  }
}
