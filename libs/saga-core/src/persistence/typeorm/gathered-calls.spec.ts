import { GatheredCalls } from './gathered-calls';

/** A call the test settles by hand, so that calls pile up behind it. */
function held<T>(): { promise: Promise<T>; settle(value: T): void } {
  let settle: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => (settle = resolve));
  return { promise, settle };
}

const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('GatheredCalls', () => {
  const stored = new Map([
    ['a', 'A'],
    ['b', 'B'],
    ['c', 'C'],
    ['d', 'D'],
  ]);
  let ones: string[];
  let manys: string[][];
  /** Calls `one` holds until the test settles them, first come first held. */
  let gates: { promise: Promise<string | null>; settle(value: string | null): void }[];

  beforeEach(() => {
    ones = [];
    manys = [];
    gates = [];
  });

  const calls = (many?: (keys: readonly string[]) => Promise<(string | null | undefined)[]>) =>
    new GatheredCalls<string, string | null>(
      async (key) => {
        ones.push(key);
        if (key === 'bad') throw new Error('no such key shape');
        return gates.shift()?.promise ?? stored.get(key) ?? null;
      },
      many ??
        (async (keys) => {
          manys.push([...keys]);
          return keys.map((k) => stored.get(k) ?? null);
        }),
    );

  it('makes a call alone when a caller is free: nothing waits at 1 in flight', async () => {
    await expect(calls().make('a')).resolves.toBe('A');
    expect(ones).toEqual(['a']);
    expect(manys).toEqual([]);
  });

  it('makes the calls that arrive while both callers are busy in one, each answered its own', async () => {
    gates = [held<string | null>(), held<string | null>()];
    const [first, second] = gates;
    const gathered = calls();
    const answers = Promise.all(['a', 'b', 'c', 'd', 'c', 'none'].map((k) => gathered.make(k)));
    await turns();
    expect(ones).toEqual(['a', 'b']);
    first.settle('A');
    second.settle('B');
    await expect(answers).resolves.toEqual(['A', 'B', 'C', 'D', 'C', null]);
    expect(manys).toEqual([['c', 'd', 'c', 'none']]);
  });

  it('makes alone a call the gathered one left unanswered', async () => {
    gates = [held<string | null>(), held<string | null>()];
    const [first, second] = gates;
    const gathered = calls(async (keys) => keys.map((k) => (k === 'd' ? undefined : k)));
    const answers = Promise.all(['a', 'b', 'c', 'd'].map((k) => gathered.make(k)));
    await turns();
    first.settle('A');
    second.settle('B');
    await expect(answers).resolves.toEqual(['A', 'B', 'c', 'D']);
    expect(ones).toEqual(['a', 'b', 'd']);
  });

  it('makes each call of a failed gathering on its own, each failing or not as it would alone', async () => {
    gates = [held<string | null>(), held<string | null>()];
    const [first, second] = gates;
    const gathered = calls(async () => {
      throw new Error('the statement failed');
    });
    const made = ['a', 'b', 'c', 'bad'].map((k) => gathered.make(k));
    await turns();
    first.settle('A');
    second.settle('B');
    const settled = await Promise.allSettled(made);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : 'rejected'))).toEqual([
      'A',
      'B',
      'C',
      'rejected',
    ]);
    expect([...ones].sort()).toEqual(['a', 'b', 'bad', 'c']);
  });
});
