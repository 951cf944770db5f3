import { setTimeout as sleep } from 'node:timers/promises';
import { withClient } from '../support/pg-query';
import { TripDatabaseUrls } from '../support/trip-invariants';

/** Rows inserted, updated or deleted so far in each app's database, and their sum. */
export interface DatabaseWrites {
  total: number;
  byDatabase: Record<keyof TripDatabaseUrls, number>;
}

/**
 * Reads `tup_inserted + tup_updated + tup_deleted` from pg_stat_database once the counters
 * have stopped moving for `settleMs`: a backend publishes its counts lazily (PostgreSQL 15
 * holds them up to 10 s after it goes idle), so a read right after a run misses some.
 */
export async function settledDatabaseWrites(
  databases: TripDatabaseUrls,
  settleMs: number,
): Promise<DatabaseWrites> {
  let last = await databaseWrites(databases);
  let stillSince = Date.now();
  while (Date.now() - stillSince < settleMs) {
    await sleep(Math.min(1_000, settleMs));
    const now = await databaseWrites(databases);
    if (now.total !== last.total) stillSince = Date.now();
    last = now;
  }
  return last;
}

export async function databaseWrites(databases: TripDatabaseUrls): Promise<DatabaseWrites> {
  const names = Object.keys(databases) as (keyof TripDatabaseUrls)[];
  const counts = await Promise.all(names.map((name) => writesOf(databases[name])));
  const byDatabase = Object.fromEntries(
    names.map((n, i) => [n, counts[i]]),
  ) as DatabaseWrites['byDatabase'];
  return { total: counts.reduce((a, b) => a + b, 0), byDatabase };
}

export function writesBetween(before: DatabaseWrites, after: DatabaseWrites): DatabaseWrites {
  const names = Object.keys(after.byDatabase) as (keyof TripDatabaseUrls)[];
  const byDatabase = Object.fromEntries(
    names.map((n) => [n, after.byDatabase[n] - before.byDatabase[n]]),
  ) as DatabaseWrites['byDatabase'];
  return { total: after.total - before.total, byDatabase };
}

async function writesOf(url: string): Promise<number> {
  return withClient(url, async (client) => {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ writes: string }>(
      `SELECT (tup_inserted + tup_updated + tup_deleted)::text AS writes
         FROM pg_stat_database WHERE datname = current_database()`,
    );
    return Number(rows[0].writes);
  });
}
