import { DueTimer, SagaStore, SagaTransaction } from '../persistence/saga-store.port';
import { DEFAULT_TIMER_RETRY, SagaTimerRunner } from './saga-timer-runner';

/** Timers in memory, the passes that looked for them, and a gate to hold a pass open. */
function timerStore() {
  const due: DueTimer[] = [];
  const fired: string[] = [];
  const state = { passes: 0, failing: false, gate: null as Promise<void> | null };
  const tx = {
    async claimDueTimers(now: Date, _limit: number, claim: { skip?: string[] } = {}) {
      if ((claim.skip ?? []).length === 0) state.passes++;
      if (state.gate) await state.gate;
      if (state.failing) throw new Error('the database is away');
      const i = due.findIndex((t) => t.fireAt <= now && !(claim.skip ?? []).includes(t.sagaId));
      return i < 0 ? [] : due.splice(i, 1);
    },
  } as unknown as SagaTransaction;
  const store = {
    transaction: <T>(work: (t: SagaTransaction) => Promise<T>) => work(tx),
  } as unknown as SagaStore;
  const add = (sagaId: string, fireAt: Date) =>
    due.push({
      sagaId,
      fireAt,
      key: 'step:forward:1',
      attempts: 0,
      definition: { name: 'd', version: 1 },
    });
  return { store, state, fired, add };
}

describe('SagaTimerRunner wake-up', () => {
  let t: ReturnType<typeof timerStore>;
  let runner: SagaTimerRunner;

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    t = timerStore();
    runner = new SagaTimerRunner(t.store, {
      service: 'test',
      retry: DEFAULT_TIMER_RETRY,
      fire: async (_tx, timer) => {
        t.fired.push(timer.sagaId);
        return null;
      },
      committed: () => undefined,
    });
  });

  afterEach(async () => {
    await runner.stop();
    jest.useRealTimers();
  });

  /** Moves the clock on by `ms`; the passes so far. */
  const after = async (ms: number) => {
    await jest.advanceTimersByTimeAsync(ms);
    return t.state.passes;
  };
  const inMs = (ms: number) => new Date(Date.now() + ms);

  /** Started at 100 ms, after the idle passes that took it to its 400 ms cap. */
  const backedOff = async () => {
    runner.start(100, 400);
    expect(await after(100 + 100 + 200 + 400)).toBe(4);
  };

  it('waits twice as long after each pass that found nothing, up to its cap', async () => {
    runner.start(100, 400);
    expect(await after(99)).toBe(0);
    expect(await after(1)).toBe(1);
    expect(await after(100)).toBe(2); // the first idle pass: the base again
    expect(await after(199)).toBe(2);
    expect(await after(1)).toBe(3); // then 200
    expect(await after(400)).toBe(4); // then 400, the cap
    expect(await after(400)).toBe(5);
  });

  it('wakes by the time of a timer this process wrote, and polls at its base after firing it', async () => {
    await backedOff();
    t.add('s-1', inMs(50));
    runner.scheduled('s-1', inMs(50));

    expect(await after(49)).toBe(4);
    expect(await after(1)).toBe(5);
    expect(t.fired).toEqual(['s-1']);
    expect(await after(100)).toBe(6);
  });

  it('wakes for each of the timers it wrote, the later ones too', async () => {
    await backedOff();
    t.add('s-1', inMs(50));
    runner.scheduled('s-1', inMs(50));
    t.add('s-2', inMs(80));
    runner.scheduled('s-2', inMs(80));

    expect(await after(50)).toBe(5);
    expect(await after(29)).toBe(5);
    expect(await after(1)).toBe(6);
    expect(t.fired).toEqual(['s-1', 's-2']);
  });

  it('forgets a timer its saga cleared or replaced: it wakes for the timer as it is now', async () => {
    await backedOff();
    let open = () => undefined as void;
    t.state.gate = new Promise<void>((resolve) => (open = resolve));
    expect(await after(400)).toBe(5); // a pass, held open: what follows is seen when it ends
    runner.scheduled('s-1', inMs(50));
    runner.scheduled('s-1', null);
    runner.scheduled('s-2', inMs(60));
    runner.scheduled('s-2', inMs(250));
    t.state.gate = null;
    open();

    expect(await after(249)).toBe(5);
    expect(await after(1)).toBe(6);
  });

  it('keeps in view a timer written while a pass runs', async () => {
    await backedOff();
    let open = () => undefined as void;
    t.state.gate = new Promise<void>((resolve) => (open = resolve));
    expect(await after(400)).toBe(5); // a pass, held open
    t.add('s-2', inMs(30));
    runner.scheduled('s-2', inMs(30));
    t.state.gate = null;
    open();

    expect(await after(29)).toBe(5);
    expect(await after(1)).toBe(6);
    expect(t.fired).toEqual(['s-2']);
  });

  it('does not poll sooner for a timer due after the next pass', async () => {
    await backedOff();
    runner.scheduled('s-3', inMs(10_000));
    expect(await after(399)).toBe(4);
    expect(await after(1)).toBe(5);
  });

  it('polls at its base again after a pass that failed', async () => {
    await backedOff();
    t.state.failing = true;
    expect(await after(400)).toBe(5);
    expect(await after(100)).toBe(6);
    expect(await after(100)).toBe(7);
  });
});
