import { SagaInstance } from '../model/saga-instance';
import { SagaStatus } from '../model/saga-status';
import { contractSaga } from '../testing/contract-fixtures';
import { SagaEndWaiters } from './saga-end-waiters';

/** Every pending callback of the event loop run once. */
const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

function deferred(): { promise: Promise<void>; settle(): void } {
  let settle = (): void => undefined;
  const promise = new Promise<void>((resolve) => (settle = resolve));
  return { promise, settle };
}

describe('SagaEndWaiters', () => {
  const running = contractSaga({ status: SagaStatus.PENDING });
  const ended = { ...running, status: SagaStatus.CONFIRMED, version: running.version + 1 };
  let stored: SagaInstance;
  let reads: number;
  let waiters: SagaEndWaiters;

  beforeEach(() => {
    stored = running;
    reads = 0;
    waiters = new SagaEndWaiters(async () => {
      reads++;
      return stored;
    });
  });

  it('hands over the saga this process committed, with no second read', async () => {
    const waiting = waiters.wait(running.id, 5_000);
    await turns();
    waiters.wake(running.id, ended);
    await expect(waiting).resolves.toBe(ended);
    expect(reads).toBe(1);
  });

  it('reads the saga again when the database announces an end no write here is making', async () => {
    const waiting = waiters.wait(running.id, 5_000);
    await turns();
    stored = ended;
    waiters.wake(running.id);
    await expect(waiting).resolves.toEqual(ended);
    expect(reads).toBe(2);
  });

  it('lets a write of this process under way hand the saga over, though the announcement came first', async () => {
    const write = deferred();
    waiters.followWrites((id) => (id === running.id ? write.promise : null));
    let answer: SagaInstance | null | undefined;
    void waiters.wait(running.id, 5_000).then((saga) => (answer = saga));
    await turns();
    stored = ended;
    waiters.wake(running.id);
    await turns();
    expect(answer).toBeUndefined();
    // The writer's own wake comes in the reactions of its write's end.
    write.settle();
    waiters.wake(running.id, ended);
    await turns();
    expect(answer).toBe(ended);
    expect(reads).toBe(1);
  });

  it('reads again once the write under way has settled without handing the end over', async () => {
    const write = deferred();
    waiters.followWrites(() => write.promise);
    let answer: SagaInstance | null | undefined;
    void waiters.wait(running.id, 5_000).then((saga) => (answer = saga));
    await turns();
    stored = ended;
    waiters.wake(running.id);
    await turns();
    expect(answer).toBeUndefined();
    write.settle();
    await turns();
    expect(answer).toEqual(ended);
    expect(reads).toBe(2);
  });

  it('answers with the saga as it is when the wait runs out', async () => {
    await expect(waiters.wait(running.id, 10)).resolves.toEqual(running);
    expect(reads).toBe(2);
  });
});
