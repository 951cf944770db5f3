import { DataSource } from 'typeorm';
import { OutboxRecord, OutboxStore } from '../../messaging/outbox-store.port';

interface OutboxRow {
  id: string;
  message_id: string;
  exchange: string;
  routing_key: string;
  type: string;
  body: object;
  headers: Record<string, string | number> | null;
}

/** The outbox table as the relay sees it; rows are written by `enqueueOutgoing`. */
export class TypeOrmOutboxStore implements OutboxStore {
  constructor(private readonly dataSource: DataSource) {}

  relayBatch(
    limit: number,
    publish: (records: OutboxRecord[]) => Promise<OutboxRecord[]>,
    minAgeMs = 0,
  ): Promise<number> {
    // The claim lasts as long as the publish: another relay skips these rows meanwhile, and
    // a crash before the commit leaves them unsent (published at least once, never lost).
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, message_id, exchange, routing_key, type, body, headers
           FROM saga_outbox
          WHERE sent_at IS NULL
            AND ($2::int = 0 OR created_at <= clock_timestamp() - make_interval(secs => $2::int / 1000.0))
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit, minAgeMs],
      );
      if (rows.length === 0) return 0;
      const confirmed = await publish(rows.map(toRecord));
      if (confirmed.length === 0) return 0;
      await manager.query(`UPDATE saga_outbox SET sent_at = now() WHERE id = ANY($1::bigint[])`, [
        confirmed.map((record) => record.id),
      ]);
      return confirmed.length;
    });
  }

  async markSent(ids: readonly string[]): Promise<void> {
    const safe = ids.filter((id) => /^\d+$/.test(id));
    if (safe.length === 0) return;
    // One round trip (simple protocol, ids are bigserial digits) and no wait for the WAL
    // flush: a mark lost in a server crash only means the row is published once more, and
    // every consumer's inbox drops the copy.
    await this.dataSource.query(
      `BEGIN; SET LOCAL synchronous_commit TO OFF;
       UPDATE saga_outbox SET sent_at = now()
        WHERE id = ANY('{${safe.join(',')}}'::bigint[]) AND sent_at IS NULL;
       COMMIT;`,
    );
  }

  async pendingCount(): Promise<number> {
    const rows: { pending: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS pending FROM saga_outbox WHERE sent_at IS NULL`,
    );
    return rows[0].pending;
  }
}

function toRecord(row: OutboxRow): OutboxRecord {
  return {
    id: row.id,
    message: {
      messageId: row.message_id,
      exchange: row.exchange,
      routingKey: row.routing_key,
      type: row.type,
      body: row.body,
      ...(row.headers ? { headers: row.headers } : {}),
    },
  };
}
