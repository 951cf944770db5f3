import { Logger } from '@nestjs/common';
import { OutboxStore } from './outbox-store.port';
import { lingerWithin, SentMarks } from './sent-marks';

function setUp(failing = false) {
  const written: string[][] = [];
  const store = {
    // Each statement takes 5 ms, while confirms go on arriving.
    markSent: jest.fn(async (ids: readonly string[]) => {
      written.push([...ids]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failing) throw new Error('the database is away');
    }),
  } as unknown as OutboxStore;
  const logger = { warn: jest.fn() } as unknown as Logger;
  return { marks: new SentMarks(store, logger, 20), written, logger };
}

describe('SentMarks', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('writes nothing before the batch has gathered for lingerMs', async () => {
    const { marks, written } = setUp();
    marks.add(['1']);
    await jest.advanceTimersByTimeAsync(19);
    expect(written).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(written).toEqual([['1']]);
  });

  it('gathers every batch, not only the first: one statement per lingerMs under load', async () => {
    const { marks, written } = setUp();
    // A confirm every 2 ms for 100 ms: 50 confirms.
    for (let i = 0; i < 50; i++) {
      marks.add([String(i)]);
      await jest.advanceTimersByTimeAsync(2);
    }
    await jest.advanceTimersByTimeAsync(40);
    await marks.flush();
    expect(written.flat()).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(written.length).toBeLessThanOrEqual(6);
  });

  it('logs a batch that could not be written and goes on with the next', async () => {
    const { marks, written, logger } = setUp(true);
    marks.add(['1', '2']);
    await jest.advanceTimersByTimeAsync(25);
    marks.add(['3']);
    await jest.advanceTimersByTimeAsync(25);
    await marks.flush();
    expect(written).toEqual([['1', '2'], ['3']]);
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });

  it("gathers 200 ms at most, and a quarter of the relay's grace when that is shorter", () => {
    expect(lingerWithin(2_000)).toBe(200);
    expect(lingerWithin(400)).toBe(100);
    expect(lingerWithin(0)).toBe(0);
  });
});
