import { handleThroughOutage } from './handle-through-outage';

const databaseDown = () =>
  Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

describe('handleThroughOutage', () => {
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
  };
  beforeEach(() => (waits.length = 0));

  it('tries again, with growing waits, until the database is back', async () => {
    let calls = 0;
    const onHold = jest.fn();
    await handleThroughOutage(
      async () => {
        if (++calls < 7) throw databaseDown();
      },
      { stillHeld: () => true, onHold, sleep },
    );
    expect(calls).toBe(7);
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 5000]);
    expect(onHold).toHaveBeenCalledTimes(1);
  });

  it('rethrows any other error at once, for the broker to requeue or dead-letter', async () => {
    const refused = new Error('No handler for flight.reserve');
    await expect(
      handleThroughOutage(() => Promise.reject(refused), {
        stillHeld: () => true,
        onHold: jest.fn(),
        sleep,
      }),
    ).rejects.toBe(refused);
    expect(waits).toEqual([]);
  });

  it('lets go once the delivery is no longer held (channel closed or consumer stopping)', async () => {
    let held = true;
    let calls = 0;
    await expect(
      handleThroughOutage(
        async () => {
          calls++;
          held = false;
          throw databaseDown();
        },
        { stillHeld: () => held, onHold: jest.fn(), sleep },
      ),
    ).rejects.toThrow('ECONNREFUSED');
    expect(calls).toBe(1);
  });
});
