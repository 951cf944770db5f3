import { DataSource, EntityManager } from 'typeorm';
import {
  OutboxRecord,
  OutboxRetryPolicy,
  OutboxStore,
  ParkedOutboxRow,
  PublishFailure,
  PublishOutcome,
  RelayBatchResult,
} from '../../messaging/outbox-store.port';

/** Errors are kept for an operator to read, not in full: a broker's message can be long. */
const MAX_ERROR_LENGTH = 1_000;

interface OutboxRow {
  id: string;
  message_id: string;
  exchange: string;
  routing_key: string;
  type: string;
  body: object;
  headers: Record<string, string | number> | null;
}

interface ParkedRow {
  id: string;
  message_id: string;
  exchange: string;
  routing_key: string;
  type: string;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  parked_at: Date;
}

const PARKED_COLUMNS = `id, message_id, exchange, routing_key, type, attempts, last_error,
  created_at, parked_at`;

/**
 * The relay's claim ($1 limit, $2 minimum age in ms): unsent rows not parked and due, oldest
 * first, skipping those another relay holds.
 */
const RELAY_CLAIM = `SELECT id, message_id, exchange, routing_key, type, body, headers
   FROM saga_outbox
  WHERE sent_at IS NULL AND parked_at IS NULL
    AND (next_attempt_at IS NULL OR next_attempt_at <= now())
    AND ($2::int = 0 OR created_at <= clock_timestamp() - make_interval(secs => $2::int / 1000.0))
  ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`;

/**
 * Set before the claim, for its transaction: the claim walks the unsent rows' index in id
 * order. Every sent mark leaves a dead entry in that partial index until the table is
 * vacuumed. A plain index scan marks the dead entries it meets, so that every later scan skips
 * them; a bitmap scan, which the planner may choose on stale statistics, marks none, and reads
 * every one of them and their rows again on every pass. On the bench's orchestrator database,
 * with autovacuum off, that was 84 ms a pass over 68,000 dead entries, and 3.8 ms once one
 * plain scan had marked them (docs/benchmarks.md).
 */
const RELAY_CLAIM_PLAN = 'SET LOCAL enable_bitmapscan = off';

/**
 * The outbox table as the relay sees it; rows are written by `enqueueOutgoing`. For an
 * operator, the parked rows are also plain SQL:
 * `SELECT * FROM saga_outbox WHERE sent_at IS NULL AND parked_at IS NOT NULL`, released by
 * `UPDATE saga_outbox SET parked_at = NULL, attempts = 0, next_attempt_at = NULL WHERE id = …`.
 */
export class TypeOrmOutboxStore implements OutboxStore {
  constructor(private readonly dataSource: DataSource) {}

  relayBatch(
    limit: number,
    publish: (records: OutboxRecord[]) => Promise<PublishOutcome>,
    minAgeMs: number,
    policy: OutboxRetryPolicy,
  ): Promise<RelayBatchResult> {
    // The claim lasts as long as the publish: another relay skips these rows meanwhile, and
    // a crash before the commit leaves them unsent (published at least once, never lost).
    return this.dataSource.transaction(async (manager) => {
      await manager.query(RELAY_CLAIM_PLAN);
      const rows: OutboxRow[] = await manager.query(RELAY_CLAIM, [limit, minAgeMs]);
      if (rows.length === 0) return { sent: 0, failed: 0, parked: [] };
      const { confirmed, failed } = await publish(rows.map(toRecord));
      if (confirmed.length > 0) {
        await manager.query(`UPDATE saga_outbox SET sent_at = now() WHERE id = ANY($1::bigint[])`, [
          confirmed.map((record) => record.id),
        ]);
      }
      const parked = await recordFailuresIn(manager, failed, policy);
      return { sent: confirmed.length, failed: failed.length, parked };
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

  recordFailures(
    failures: readonly PublishFailure[],
    policy: OutboxRetryPolicy,
  ): Promise<ParkedOutboxRow[]> {
    return recordFailuresIn(this.dataSource.manager, failures, policy);
  }

  async pendingCount(): Promise<number> {
    const rows: { pending: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS pending FROM saga_outbox WHERE sent_at IS NULL`,
    );
    return rows[0].pending;
  }

  async parkedCount(): Promise<number> {
    const rows: { parked: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS parked FROM saga_outbox
        WHERE sent_at IS NULL AND parked_at IS NOT NULL`,
    );
    return rows[0].parked;
  }

  async parkedRows(limit = 100): Promise<ParkedOutboxRow[]> {
    const rows: ParkedRow[] = await this.dataSource.query(
      `SELECT ${PARKED_COLUMNS} FROM saga_outbox
        WHERE sent_at IS NULL AND parked_at IS NOT NULL
        ORDER BY id LIMIT $1`,
      [limit],
    );
    return rows.map(toParked);
  }

  async releaseParked(ids?: readonly string[]): Promise<number> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [rows] = (await this.dataSource.query(
      `UPDATE saga_outbox SET parked_at = NULL, attempts = 0, next_attempt_at = NULL
        WHERE sent_at IS NULL AND parked_at IS NOT NULL
          AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
        RETURNING id`,
      [ids ? ids.filter((id) => /^\d+$/.test(id)) : null],
    )) as [{ id: string }[], number];
    return rows.length;
  }
}

/** One statement for all the failures of a batch; the backoff doubles per try, capped. */
async function recordFailuresIn(
  manager: EntityManager,
  failures: readonly PublishFailure[],
  policy: OutboxRetryPolicy,
): Promise<ParkedOutboxRow[]> {
  if (failures.length === 0) return [];
  // TypeORM answers an UPDATE … RETURNING with [rows, affected].
  const [rows] = (await manager.query(
    `UPDATE saga_outbox o
        SET attempts = o.attempts + 1,
            last_error = f.error,
            next_attempt_at = now() + make_interval(
              secs => least($4::float8, $3::float8 * power(2, o.attempts)) / 1000.0),
            parked_at = CASE WHEN o.attempts + 1 >= $5::int THEN now() END
       FROM unnest($1::bigint[], $2::text[]) AS f(id, error)
      WHERE o.id = f.id AND o.sent_at IS NULL AND o.parked_at IS NULL
      RETURNING o.id, o.message_id, o.exchange, o.routing_key, o.type, o.attempts,
                o.last_error, o.created_at, o.parked_at`,
    [
      failures.map((f) => f.id),
      failures.map((f) => f.error.slice(0, MAX_ERROR_LENGTH)),
      policy.retryDelayMs,
      policy.maxRetryDelayMs,
      policy.maxAttempts,
    ],
  )) as [ParkedRow[], number];
  return rows.filter((row) => row.parked_at !== null).map(toParked);
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

function toParked(row: ParkedRow): ParkedOutboxRow {
  return {
    id: String(row.id),
    messageId: row.message_id,
    exchange: row.exchange,
    routingKey: row.routing_key,
    type: row.type,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at,
    parkedAt: row.parked_at,
  };
}
