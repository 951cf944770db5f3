import { DataSource } from 'typeorm';
import { MessagingStats, MessagingStatsSnapshot } from '../../messaging/messaging-stats.port';

/** Past this many rows the inbox is not counted further: the count stays cheap. */
const INBOX_COUNT_CAP = 1_000_000;

/** The outbox backlog from its partial index of unsent rows; the inbox counted up to a cap. */
export class TypeOrmMessagingStats implements MessagingStats {
  constructor(private readonly dataSource: DataSource) {}

  async snapshot(): Promise<MessagingStatsSnapshot> {
    const rows: { pending: number; oldest: number | null; inbox: number }[] =
      await this.dataSource.query(
        `SELECT (SELECT count(*) FROM saga_outbox WHERE sent_at IS NULL)::int AS pending,
                (SELECT extract(epoch FROM now() - min(created_at))
                   FROM saga_outbox WHERE sent_at IS NULL)::float8 AS oldest,
                (SELECT count(*) FROM (SELECT 1 FROM saga_inbox LIMIT $1) AS i)::int AS inbox`,
        [INBOX_COUNT_CAP],
      );
    const { pending, oldest, inbox } = rows[0];
    return {
      outboxPending: pending,
      outboxOldestAgeSeconds: oldest === null ? null : Math.max(0, oldest),
      inboxRows: inbox,
      inboxRowsCapped: inbox >= INBOX_COUNT_CAP,
    };
  }
}
