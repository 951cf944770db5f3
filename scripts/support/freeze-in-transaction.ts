import { setTimeout as sleep } from 'node:timers/promises';
import { withClient } from './pg-query';

/** A process that can be frozen and thawed by signal. */
export interface Freezable {
  readonly pid: number;
  signal(signal: NodeJS.Signals): void;
}

export interface Frozen {
  /** SIGSTOPs it took to catch the process inside a transaction. */
  tries: number;
  /** Its sessions that hold an open transaction which wrote or locked rows. */
  sessions: number;
}

/**
 * Freezes `target` with SIGSTOP at a moment when one of its sessions (by `application_name`)
 * is idle inside a transaction that holds row locks or has written: `pg_stat_activity` shows
 * it with a transaction id. A freeze that misses is thawed at once (SIGCONT) and tried again,
 * up to `tries` times; the caller thaws the one that caught it.
 */
export function freezeInTransaction(
  target: Freezable,
  databaseUrl: string,
  applicationName: string,
  tries = 500,
): Promise<Frozen> {
  return withClient(databaseUrl, async (client) => {
    for (let attempt = 1; attempt <= tries; attempt++) {
      target.signal('SIGSTOP');
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = $1 AND state = 'idle in transaction'
            AND backend_xid IS NOT NULL`,
        [applicationName],
      );
      if (rows[0].n > 0) return { tries: attempt, sessions: rows[0].n };
      target.signal('SIGCONT');
      // Let it run into its next transaction.
      await sleep(5 + (attempt % 7) * 3);
    }
    throw new Error(`${applicationName} was never caught inside a transaction in ${tries} tries`);
  });
}

/** Sessions of `applicationName` still inside a transaction (the server has not closed them). */
export async function openTransactions(databaseUrl: string, applicationName: string) {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE application_name = $1 AND xact_start IS NOT NULL`,
      [applicationName],
    );
    return rows[0].n;
  });
}
