import { DataSource } from 'typeorm';
import { PruneResult, RetentionStore } from '../../messaging/retention-store.port';

/** Any fixed bigint: the same for every process pruning one database. */
const RETENTION_LOCK_KEY = '7232250000002';

/** Prunes the inbox, outbox and join tables, one pass per database at a time. */
export class TypeOrmRetentionStore implements RetentionStore {
  constructor(private readonly dataSource: DataSource) {}

  prune(
    inboxOlderThanMs: number,
    outboxOlderThanMs: number,
    limit: number,
  ): Promise<PruneResult | null> {
    return this.dataSource.transaction(async (manager) => {
      // Held until the transaction ends: a second instance skips its pass instead of waiting.
      const [lock] = (await manager.query(`SELECT pg_try_advisory_xact_lock($1::bigint) AS ok`, [
        RETENTION_LOCK_KEY,
      ])) as { ok: boolean }[];
      if (!lock.ok) return null;
      // Rows a DELETE removed, as the pg driver answers through TypeORM.
      const deleted = async (sql: string, olderThanMs: number) =>
        ((await manager.query(sql, [olderThanMs, limit])) as [unknown[], number])[1];
      const olderThan = (table: string, column: string) =>
        `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM ${table}
            WHERE ${column} < now() - make_interval(secs => $1::int / 1000.0) LIMIT $2))`;
      const inbox = await deleted(olderThan('saga_inbox', 'processed_at'), inboxOlderThanMs);
      // Unsent rows are never pruned, however old: they are still owed to the broker.
      const outbox = await deleted(
        `DELETE FROM saga_outbox WHERE id = ANY(ARRAY(
           SELECT id FROM saga_outbox
            WHERE sent_at IS NOT NULL
              AND sent_at < now() - make_interval(secs => $1::int / 1000.0)
            ORDER BY id LIMIT $2))`,
        outboxOlderThanMs,
      );
      // A join's events are past redelivery once the inbox forgets them.
      const joins = await deleted(olderThan('saga_event_joins', 'updated_at'), inboxOlderThanMs);
      return { inbox, outbox, joins };
    });
  }
}
