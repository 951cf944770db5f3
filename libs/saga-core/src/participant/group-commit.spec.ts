import { AsyncLocalStorage } from 'node:async_hooks';
import { EntityManager } from 'typeorm';
import { FaultHooks, FaultPoint, NO_FAULTS } from '../model/fault-hooks';
import { GroupCommit, MemberFailed } from './group-commit';
import { Inbox, InboxTransaction } from './inbox.port';

/** Transactions in memory: what one writes is kept only if its work does not throw. */
class MemoryTransactions implements Inbox {
  readonly committed: string[][] = [];
  failCommit = false;

  claimsBeforeHandling(): boolean {
    return false;
  }

  async transaction<T>(_consumer: string, work: (tx: InboxTransaction) => Promise<T>): Promise<T> {
    const writes: string[] = [];
    const tx = {
      manager: { writes } as unknown as EntityManager,
      claim: async () => true,
      claimAndEnqueue: async () => [],
      claimAllAndEnqueue: async () => ({ enqueued: [] }),
      enqueue: async () => [],
      join: async () => null,
    };
    const result = await work(tx);
    if (this.failCommit) throw new Error('the commit failed');
    this.committed.push(writes);
    return result;
  }
}

const writesOf = (tx: InboxTransaction) => (tx.manager as unknown as { writes: string[] }).writes;

function setUp(maxMessages = 32, hooks: FaultHooks = NO_FAULTS) {
  const inbox = new MemoryTransactions();
  const seals: string[][] = [];
  let sealFails = false;
  let sealBlames: string | null = null;
  const seal = async (_tx: InboxTransaction, done: readonly string[]) => {
    seals.push([...done]);
    if (sealFails) throw new Error('the statement failed');
    if (sealBlames && done.includes(sealBlames)) throw new MemberFailed(done.indexOf(sealBlames));
    return [...done];
  };
  const group = new GroupCommit<string, string>(inbox, 'flight-service', maxMessages, seal, hooks);
  const runs: string[] = [];
  /** A delivery whose work writes its name, or throws when `fails` says so. */
  const deliver = (name: string, fails: () => boolean = () => false) =>
    group.submit(
      async (tx) => {
        runs.push(`${name} together`);
        if (fails()) throw new Error(`${name} failed`);
        writesOf(tx).push(name);
        return name;
      },
      () =>
        inbox.transaction('flight-service', async (tx) => {
          runs.push(`${name} alone`);
          if (fails()) throw new Error(`${name} failed`);
          writesOf(tx).push(name);
          return name;
        }),
    );
  const failSeal = () => (sealFails = true);
  const blameInSeal = (name: string) => (sealBlames = name);
  return { inbox, deliver, runs, seals, failSeal, blameInSeal };
}

describe('GroupCommit', () => {
  it('writes a delivery that arrives alone in its own transaction', async () => {
    const { inbox, deliver, runs } = setUp();
    await expect(deliver('a')).resolves.toBe('a');
    expect(runs).toEqual(['a alone']);
    expect(inbox.committed).toEqual([['a']]);
  });

  it('writes what arrives while a transaction is written together, in the next one', async () => {
    const { inbox, deliver } = setUp();
    const all = ['a', 'b', 'c', 'd', 'e'].map((name) => deliver(name));
    await expect(Promise.all(all)).resolves.toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(inbox.committed).toEqual([['a'], ['b', 'c', 'd', 'e']]);
  });

  it('seals a group once, after every member worked', async () => {
    const { deliver, seals } = setUp();
    await Promise.all(['a', 'b', 'c'].map((name) => deliver(name)));
    expect(seals).toEqual([['b', 'c']]);
  });

  it('sends every member alone when the seal refuses the group', async () => {
    const { inbox, deliver, runs, failSeal } = setUp();
    const first = deliver('a');
    failSeal();
    await Promise.all([first, deliver('b'), deliver('c')]);
    expect(runs).toEqual(['a alone', 'b together', 'c together', 'b alone', 'c alone']);
    expect(inbox.committed).toEqual([['a'], ['b'], ['c']]);
  });

  it('sends alone the member the seal blames, and seals the others in the next group', async () => {
    const { inbox, deliver, seals, blameInSeal } = setUp();
    blameInSeal('c');
    await Promise.all(['a', 'b', 'c', 'd'].map((name) => deliver(name)));
    expect(seals).toEqual([
      ['b', 'c', 'd'],
      ['b', 'd'],
    ]);
    expect(inbox.committed).toEqual([['a'], ['c'], ['b', 'd']]);
  });

  it('holds no more than maxMessages in one transaction', async () => {
    const { inbox, deliver } = setUp(2);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => deliver(name)));
    expect(inbox.committed).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('rolls the group back when a member fails: it goes alone, the others are written once', async () => {
    const { inbox, deliver, runs } = setUp();
    const first = deliver('a');
    const rest = ['b', 'c', 'd'].map((name) => deliver(name, () => name === 'c'));
    await first;
    const settled = await Promise.allSettled(rest);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('c failed'));
    // b was rolled back with the group and written again with d; c failed on its own too.
    expect(runs).toEqual([
      'a alone',
      'b together',
      'c together',
      'c alone',
      'b together',
      'd together',
    ]);
    expect(inbox.committed).toEqual([['a'], ['b', 'd']]);
  });

  it('sends every member alone when the group fails where no member is to blame', async () => {
    const { inbox, deliver, runs } = setUp();
    const first = deliver('a');
    inbox.failCommit = true;
    const rest = ['b', 'c'].map((name) => deliver(name));
    await first.catch(() => undefined);
    const settled = await Promise.allSettled(rest);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(runs).toEqual(['a alone', 'b together', 'c together', 'b alone', 'c alone']);
    expect(inbox.committed).toEqual([]);
  });

  it('reaches the before-commit fault point once per group', async () => {
    const reached: FaultPoint[] = [];
    const { deliver } = setUp(32, { reach: (point) => reached.push(point) });
    await Promise.all(['a', 'b', 'c'].map((name) => deliver(name)));
    expect(reached).toEqual([FaultPoint.BEFORE_COMMIT]);
  });

  it('runs each member in the asynchronous context it was submitted from', async () => {
    const inbox = new MemoryTransactions();
    const seal = async (_tx: InboxTransaction, done: readonly (string | undefined)[]) => [...done];
    const group = new GroupCommit<string | undefined, string | undefined>(
      inbox,
      'flight-service',
      32,
      seal,
      NO_FAULTS,
    );
    const scope = new AsyncLocalStorage<string>();
    const seen = ['a', 'b', 'c'].map((name) =>
      scope.run(name, () =>
        group.submit(
          async () => scope.getStore(),
          async () => scope.getStore(),
        ),
      ),
    );
    await expect(Promise.all(seen)).resolves.toEqual(['a', 'b', 'c']);
  });
});
