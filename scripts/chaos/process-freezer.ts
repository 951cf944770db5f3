import { setTimeout as sleep } from 'node:timers/promises';
import { freezeInTransaction } from '../support/freeze-in-transaction';
import { AppProcess } from './app-process';

/**
 * The freeze fault: an app process stopped with SIGSTOP at a moment when it holds an open
 * transaction with row locks (a long GC or VM pause, a partition, looks the same from the
 * outside), left frozen for longer than the step timeout, then thawed with SIGCONT. Its peers
 * must keep going: the server closes the frozen transactions (idle-in-transaction timeout),
 * their waits on its locks end (lock timeout) and are tried again, its sagas' timers fire on
 * the other orchestrator. A process that is never caught inside a transaction (idle) is
 * frozen anyway, and the event says so.
 */
export class ProcessFreezer {
  constructor(
    /** Any database of the run's server: `pg_stat_activity` covers all of them. */
    private readonly databaseUrl: string,
    private readonly freezeMs: number,
  ) {}

  /** Freezes `app`, waits, thaws it; returns the event's target, e.g. `hotel-service (in 2 transactions)`. */
  async freeze(app: AppProcess): Promise<string> {
    const target = { pid: app.pid, signal: (signal: NodeJS.Signals) => app.signal(signal) };
    const caught = await freezeInTransaction(
      target,
      this.databaseUrl,
      `${app.serviceName}:${app.pid}`,
    ).catch(() => null);
    if (!caught) app.signal('SIGSTOP');
    try {
      await sleep(this.freezeMs);
    } finally {
      app.signal('SIGCONT');
    }
    return caught
      ? `${app.name} (in ${caught.sessions} transaction${caught.sessions === 1 ? '' : 's'})`
      : `${app.name} (idle)`;
  }
}
