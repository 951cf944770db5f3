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
      const inbox = (await manager.query(
        `DELETE FROM saga_inbox WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM saga_inbox
            WHERE processed_at < now() - make_interval(secs => $1::int / 1000.0) LIMIT $2))`,
        [inboxOlderThanMs, limit],
      )) as [unknown[], number];
      // Unsent rows are never pruned, however old: they are still owed to the broker.
      const outbox = (await manager.query(
        `DELETE FROM saga_outbox WHERE id = ANY(ARRAY(
           SELECT id FROM saga_outbox
            WHERE sent_at IS NOT NULL
              AND sent_at < now() - make_interval(secs => $1::int / 1000.0)
            ORDER BY id LIMIT $2))`,
        [outboxOlderThanMs, limit],
      )) as [unknown[], number];
      const joins = (await manager.query(
        `DELETE FROM saga_event_joins WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM saga_event_joins
            WHERE updated_at < now() - make_interval(secs => $1::int / 1000.0) LIMIT $2))`,
        [inboxOlderThanMs, limit],
      )) as [unknown[], number];
      return { inbox: inbox[1], outbox: outbox[1], joins: joins[1] };
    });
  }
}
