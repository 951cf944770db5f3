import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { withClient } from '../support/pg-query';

const run = promisify(execFile);

export interface PgbenchResult {
  clients: number;
  seconds: number;
  /** Transactions per second of pgbench's simple update (-N): one small write commit each. */
  tps: number;
}

/**
 * The database's own limit on this machine, now: `pgbench -N` (three single-row writes and a
 * select per transaction, one commit) at 16 clients, on a scratch database dropped afterwards.
 */
export async function pgbenchProbe(
  serverUrl: string,
  clients = 16,
  seconds = 5,
): Promise<PgbenchResult> {
  const name = `bench_pgbench_${process.pid}`;
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const scratch = new URL(serverUrl);
  scratch.pathname = `/${name}`;
  await withClient(admin.toString(), (c) => c.query(`CREATE DATABASE ${name}`));
  try {
    await run('pgbench', ['-i', '-q', '-s', '1', scratch.toString()], { timeout: 120_000 });
    const { stdout } = await run(
      'pgbench',
      ['-n', '-N', '-c', String(clients), '-j', '2', '-T', String(seconds), scratch.toString()],
      { timeout: (seconds + 60) * 1000 },
    );
    const tps = /tps = ([\d.]+)/.exec(stdout);
    if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
    return { clients, seconds, tps: Number(tps[1]) };
  } finally {
    await withClient(admin.toString(), (c) =>
      c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    );
  }
}
