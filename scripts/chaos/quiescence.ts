import { setTimeout as sleep } from 'node:timers/promises';
import { queryRows } from '../support/pg-query';
import { QueueDepth, vhostQueueDepths } from '../support/rabbitmq-admin';
import { TripDatabaseUrls } from '../support/trip-invariants';

/** What is left in flight once every booking has ended. */
export interface Quiescence {
  /** Outbox rows not yet confirmed by the broker, per app database. */
  unsentOutbox: Record<string, number>;
  /** Work queues still holding messages (ready or unacked). */
  busyQueues: Record<string, QueueDepth>;
  /** Messages in each `<queue>.dead-letter` queue that holds any. */
  deadLetters: Record<string, number>;
  deadLetterTotal: number;
}

const DEAD_LETTER_SUFFIX = '.dead-letter';

/**
 * Waits (up to `timeoutMs`) for every outbox to be sent and every work queue to be empty,
 * then reads what the dead-letter queues hold: a relay or a consumer may still be finishing
 * the last replies and events when the last booking ends.
 */
export async function awaitQuiescence(
  databases: TripDatabaseUrls,
  vhost: string,
  timeoutMs: number,
): Promise<Quiescence> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await readQuiescence(databases, vhost);
    const outboxEmpty = Object.values(state.unsentOutbox).every((n) => n === 0);
    const queuesEmpty = Object.keys(state.busyQueues).length === 0;
    if ((outboxEmpty && queuesEmpty) || Date.now() >= deadline) return state;
    await sleep(1_000);
  }
}

export async function readQuiescence(
  databases: TripDatabaseUrls,
  vhost: string,
): Promise<Quiescence> {
  const unsent = await Promise.all(
    Object.entries(databases).map(async ([service, url]) => {
      const [row] = await queryRows<{ n: string }>(
        url,
        `SELECT count(*) AS n FROM saga_outbox WHERE sent_at IS NULL`,
      );
      return [service, Number(row.n)] as const;
    }),
  );
  const depths = Object.entries(await vhostQueueDepths(vhost));
  const deadLetters = Object.fromEntries(
    depths
      .filter(([name, depth]) => name.endsWith(DEAD_LETTER_SUFFIX) && depth.total > 0)
      .map(([name, depth]) => [name, depth.total]),
  );
  return {
    unsentOutbox: Object.fromEntries(unsent),
    busyQueues: Object.fromEntries(
      depths.filter(([name, depth]) => !name.endsWith(DEAD_LETTER_SUFFIX) && depth.total > 0),
    ),
    deadLetters,
    deadLetterTotal: Object.values(deadLetters).reduce((a, b) => a + b, 0),
  };
}
