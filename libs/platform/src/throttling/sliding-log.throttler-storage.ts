import { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** How often records with no live hit and no block are dropped, as `@nestjs/throttler` does. */
export const SWEEP_INTERVAL_MS = 60_000;

/**
 * The expiry times of one throttler's hits on one key, oldest first: a queue whose live part
 * starts at `head`. Expiries are pushed as `now + ttl`, so they arrive in order and pruning
 * takes from the front; one that arrives out of order (a ttl that changed, the clock set
 * back) is put in its place.
 */
class HitLog {
  private expiries: number[] = [];
  private head = 0;

  get size(): number {
    return this.expiries.length - this.head;
  }

  /** The earliest live expiry, or undefined with no live hit. */
  get earliest(): number | undefined {
    return this.size > 0 ? this.expiries[this.head] : undefined;
  }

  push(expiresAt: number): void {
    const last = this.expiries[this.expiries.length - 1];
    if (this.size === 0 || expiresAt >= last) {
      this.expiries.push(expiresAt);
      return;
    }
    let at = this.expiries.length;
    while (at > this.head && this.expiries[at - 1] > expiresAt) at--;
    this.expiries.splice(at, 0, expiresAt);
  }

  /** Drops the hits that expired by `now` (an expiry equal to `now` has expired). */
  prune(now: number): void {
    while (this.head < this.expiries.length && this.expiries[this.head] <= now) this.head++;
    if (this.head > 1024 && this.head * 2 > this.expiries.length) {
      this.expiries = this.expiries.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.expiries = [];
    this.head = 0;
  }

  hasLiveHits(now: number): boolean {
    return this.size > 0 && this.expiries[this.expiries.length - 1] > now;
  }
}

interface KeyRecord {
  logs: Map<string, HitLog>;
  expiresAt: number;
  blockExpiresAt: number;
  isBlocked: boolean;
}

/**
 * `@nestjs/throttler`'s in-memory storage, answering exactly as its `ThrottlerStorageService`
 * does (the same sliding log of hits, the same blocking and the same sweep), at a constant
 * cost per request. The library's storage filters every hit of the window on each request and
 * spreads them into `Math.min`: with a limit of 100,000 a minute, a busy client's request costs
 * a pass over tens of thousands of numbers, and the cost grows with the rate. Here the hits of
 * a key are a queue ordered by expiry, pruned from the front.
 */
export class SlidingLogThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly records = new Map<string, KeyRecord>();
  private sweep: NodeJS.Timeout | undefined;

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return Promise.resolve(this.hit(key, ttl, limit, blockDuration, throttlerName));
  }

  onApplicationShutdown(): void {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = undefined;
    this.records.clear();
  }

  /** Drops every record with no live hit and no block in force, as the library's sweep does. */
  evictIdleRecords(now = Date.now()): void {
    for (const [key, record] of this.records) {
      if (record.isBlocked && record.blockExpiresAt > now) continue;
      if (record.expiresAt > now) continue;
      if ([...record.logs.values()].some((log) => log.hasLiveHits(now))) continue;
      this.records.delete(key);
    }
  }

  private hit(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    name: string,
  ): ThrottlerStorageRecord {
    this.ensureSweep();
    let record = this.records.get(key);
    if (!record) {
      record = {
        logs: new Map(),
        expiresAt: Date.now() + ttl,
        blockExpiresAt: 0,
        isBlocked: false,
      };
      this.records.set(key, record);
    }
    let log = record.logs.get(name);
    if (!log) {
      log = new HitLog();
      record.logs.set(name, log);
    }
    log.prune(Date.now());
    let timeToExpire = secondsUntil(record.expiresAt);
    if (timeToExpire <= 0) {
      record.expiresAt = Date.now() + ttl;
      timeToExpire = secondsUntil(record.expiresAt);
    }
    if (blockDuration <= 0) return this.withoutBlock(log, ttl, limit, timeToExpire);
    if (!record.isBlocked) log.push(Date.now() + ttl);
    if (log.size > limit && !record.isBlocked) {
      record.isBlocked = true;
      record.blockExpiresAt = Date.now() + blockDuration;
    }
    const timeToBlockExpire = secondsUntil(record.blockExpiresAt);
    if (timeToBlockExpire <= 0 && record.isBlocked) {
      record.isBlocked = false;
      log.clear();
      log.push(Date.now() + ttl);
    }
    return { totalHits: log.size, timeToExpire, isBlocked: record.isBlocked, timeToBlockExpire };
  }

  private withoutBlock(
    log: HitLog,
    ttl: number,
    limit: number,
    timeToExpire: number,
  ): ThrottlerStorageRecord {
    const isBlocked = log.size >= limit;
    if (!isBlocked) log.push(Date.now() + ttl);
    const earliest = log.earliest;
    const timeToBlockExpire = earliest === undefined ? timeToExpire : secondsUntil(earliest);
    return {
      totalHits: log.size + (isBlocked ? 1 : 0),
      timeToExpire,
      isBlocked,
      timeToBlockExpire: isBlocked ? timeToBlockExpire : 0,
    };
  }

  private ensureSweep(): void {
    if (this.sweep) return;
    this.sweep = setInterval(() => this.evictIdleRecords(), SWEEP_INTERVAL_MS);
    this.sweep.unref();
  }
}

function secondsUntil(at: number): number {
  return Math.ceil((at - Date.now()) / 1000);
}
