import { BatchedReads } from './batched-reads';

/** A read the test settles by hand, so that reads pile up behind it. */
function held<T>(): { promise: Promise<T>; settle(value: T): void; fail(error: Error): void } {
  let settle: (value: T) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((resolve, reject) => ((settle = resolve), (fail = reject)));
  return { promise, settle, fail };
}

const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('BatchedReads', () => {
  const stored = new Map([
    ['a', 'A'],
    ['b', 'B'],
    ['c', 'C'],
    ['d', 'D'],
  ]);
  let ones: string[];
  let manys: string[][];

  beforeEach(() => {
    ones = [];
    manys = [];
  });

  const direct = () =>
    new BatchedReads<string, string>(
      async (key) => (ones.push(key), stored.get(key) ?? null),
      async (keys) => (
        manys.push([...keys]),
        new Map(keys.flatMap((k) => (stored.has(k) ? [[k, stored.get(k) as string]] : [])))
      ),
    );

  it('reads a key alone when a reader is free: nothing waits at 1 in flight', async () => {
    await expect(direct().get('a')).resolves.toBe('A');
    expect(ones).toEqual(['a']);
    expect(manys).toEqual([]);
  });

  it('reads the keys that arrive while both readers are busy in one statement, each once', async () => {
    const first = held<string | null>();
    const second = held<string | null>();
    const gates = [first, second];
    const reads = new BatchedReads<string, string>(
      async (key) => (ones.push(key), gates.shift()?.promise ?? stored.get(key) ?? null),
      async (keys) => (
        manys.push([...keys]),
        new Map(keys.flatMap((k) => (stored.has(k) ? [[k, stored.get(k) as string]] : [])))
      ),
    );
    const answers = Promise.all(['a', 'b', 'c', 'd', 'c', 'missing'].map((key) => reads.get(key)));
    await turns();
    expect(ones).toEqual(['a', 'b']);
    first.settle('A');
    second.settle('B');
    await expect(answers).resolves.toEqual(['A', 'B', 'C', 'D', 'C', null]);
    expect(manys).toEqual([['c', 'd', 'missing']]);
  });

  it('reads each key of a failed statement on its own, each failing or not as it would alone', async () => {
    const gate = held<string | null>();
    let blocked = true;
    const reads = new BatchedReads<string, string>(
      async (key) => {
        ones.push(key);
        if (blocked) {
          blocked = false;
          return gate.promise;
        }
        if (key === 'bad') throw new Error('no such key shape');
        return stored.get(key) ?? null;
      },
      async () => {
        throw new Error('the statement failed');
      },
      1,
    );
    const a = reads.get('a');
    const b = reads.get('b');
    const bad = reads.get('bad');
    await turns();
    gate.settle('A');
    await expect(a).resolves.toBe('A');
    await expect(b).resolves.toBe('B');
    await expect(bad).rejects.toThrow('no such key shape');
    expect(ones.sort()).toEqual(['a', 'b', 'bad']);
  });
});
