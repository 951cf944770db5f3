import { ThrottlerStorageService } from '@nestjs/throttler';
import { SlidingLogThrottlerStorage, SWEEP_INTERVAL_MS } from './sliding-log.throttler-storage';

/** A small deterministic generator (mulberry32), so a failing sequence can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SlidingLogThrottlerStorage', () => {
  let storages: SlidingLogThrottlerStorage[] = [];

  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-12-06T12:00:00Z') }));
  afterEach(() => {
    for (const storage of storages) storage.onApplicationShutdown();
    storages = [];
    jest.useRealTimers();
  });

  const ours = () => {
    const storage = new SlidingLogThrottlerStorage();
    storages.push(storage);
    return storage;
  };

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'answers as @nestjs/throttler’s own storage on random traffic (seed %i)',
    async (seed) => {
      const random = seeded(seed);
      const library = new ThrottlerStorageService();
      const storage = ours();
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
      try {
        for (let i = 0; i < 3000; i++) {
          const key = pick(['a', 'b', 'c']);
          const name = pick(['default', 'burst']);
          // Mostly one ttl per key and name, as routes have; sometimes another (out of order).
          const ttl = random() < 0.95 ? (name === 'default' ? 2000 : 500) : pick([100, 5000]);
          const limit = pick([1, 3, 10]);
          const blockDuration = pick([0, 0, ttl, 700]);
          const args = [key, ttl, limit, blockDuration, name] as const;
          expect(await storage.increment(...args)).toEqual(await library.increment(...args));
          jest.setSystemTime(Date.now() + Math.floor(random() * random() * 400));
        }
      } finally {
        library.onApplicationShutdown();
      }
    },
  );

  it('blocks past the limit for the block duration, then counts afresh', async () => {
    const storage = ours();
    const hit = () => storage.increment('client', 1000, 2, 3000, 'default');
    expect(await hit()).toMatchObject({ totalHits: 1, timeToExpire: 1, isBlocked: false });
    await hit();
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 3 });
    jest.setSystemTime(Date.now() + 2000);
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    jest.setSystemTime(Date.now() + 1000);
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('sweeps records with no live hit and no block, as the library does', async () => {
    const storage = ours();
    await storage.increment('gone', 1000, 5, 0, 'default');
    await storage.increment('blocked', 1000, 0, 120_000, 'default');
    jest.advanceTimersByTime(SWEEP_INTERVAL_MS);
    expect(await storage.increment('gone', 1000, 5, 0, 'default')).toMatchObject({
      totalHits: 1,
    });
    expect(await storage.increment('blocked', 1000, 0, 120_000, 'default')).toMatchObject({
      isBlocked: true,
    });
  });
});
