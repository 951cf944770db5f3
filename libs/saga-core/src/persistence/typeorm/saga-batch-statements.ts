import type { Pool } from 'pg';
import { isTerminal } from '../../model/saga-status';
import { OutboxRecord } from '../../messaging/outbox-store.port';
import { stampTraceContext } from '../../observability/trace-context';
import { SagaTransition } from '../../model/saga-transition';
import { ClaimedWrite, StandaloneWrite } from '../saga-store.port';
import { auditColumns, awaitingColumn, stepsColumn } from './saga-row.mapper';
import { SAGA_ENDED_CHANNEL } from './saga-channels';
import { insertAuditRows } from './audit-statements';

const OUTBOX_TYPES = ['uuid', 'uuid', 'text', 'text', 'text', 'jsonb', 'jsonb'];

/**
 * The outbox rows of several sagas' transitions, in a statement for several: $p..$p+6 one row
 * per message naming its saga first (`sagasOutboxColumns`), inserted in the order given
 * (`WITH ORDINALITY`), only for the sagas in the CTE `written`.
 */
export const insertSagasOutboxRows = (p: number, written: string): string => `
  INSERT INTO saga_outbox (message_id, exchange, routing_key, type, body, headers)
  SELECT o.message_id, o.exchange, o.routing_key, o.type, o.body, o.headers
    FROM unnest(${OUTBOX_TYPES.map((type, i) => `$${p + i}::${type}[]`).join(', ')})
         WITH ORDINALITY AS o(saga_id, message_id, exchange, routing_key, type, body, headers, n)
   WHERE o.saga_id IN (SELECT id FROM ${written})
   ORDER BY o.n
  RETURNING id, message_id`;

/** The parameters of `insertSagasOutboxRows`: every message of `transitions`, in order. */
export function sagasOutboxColumns(transitions: readonly SagaTransition[]): unknown[][] {
  const outbox = transitions.flatMap((t) =>
    t.messages.map((message) => ({ id: t.instance.id, message })),
  );
  return [
    outbox.map((r) => r.id),
    outbox.map((r) => r.message.messageId),
    outbox.map((r) => r.message.exchange),
    outbox.map((r) => r.message.routingKey),
    outbox.map((r) => r.message.type),
    outbox.map((r) => JSON.stringify(r.message.body)),
    outbox.map((r) => (r.message.headers ? JSON.stringify(r.message.headers) : null)),
  ];
}

/** What a statement for several sagas returns of its outbox rows, by message. */
export interface SagasOutboxRow {
  outbox_messages: string[];
  outbox_ids: string[];
}

/** The outbox records `transition` wrote, found by message in the statement's answer. */
export function enqueuedBy(transition: SagaTransition, row: SagasOutboxRow): OutboxRecord[] {
  const ids = new Map(row.outbox_messages.map((m, i) => [m, row.outbox_ids[i]]));
  return transition.messages.map((message): OutboxRecord => {
    const id = ids.get(message.messageId.toLowerCase());
    if (id === undefined) throw new Error(`outbox insert returned no id for ${message.messageId}`);
    return { id, message };
  });
}

/**
 * UPDATE_SAGA_CLAIMING for several sagas at once: one statement, one round trip and one
 * commit for transitions of different sagas, each decided on a copy read earlier. Every
 * saga's writes hang on its own compare-and-set and inbox check, exactly as in the statement
 * for one: a saga that moved on, or whose message was claimed already, writes nothing, and
 * the others are written all the same. `changed` names the sagas written.
 *
 * $1..$16 a row per saga, its steps included; $17..$19 the audit lines, one row per saga;
 * $20..$26 the outbox rows, inserted in the order given (`WITH ORDINALITY`); $27/$28 the
 * earlier messages a saga's transition claims beside its own (a saga's messages decided
 * together). Each row names its saga first. A saga's claims, its own message and the earlier
 * ones, go into one array (`claims`), each looked up in the inbox by its whole key in a subquery
 * of its own: one probe per message, whatever the size of the inbox. (With `= ANY` over the
 * array, or an `EXISTS` the planner turns into a join, PostgreSQL without statistics on the
 * inbox sometimes read every row of the consumer instead.)
 */
export const UPDATE_SAGAS_CLAIMING = {
  name: 'sagas-update-claiming-v6',
  text: `
WITH x AS (
  SELECT x.*,
         array_prepend(x.message_id, ARRAY(
           SELECT e.message_id FROM unnest($27::uuid[], $28::text[]) AS e(saga_id, message_id)
            WHERE e.saga_id = x.id)) AS claims
    FROM unnest($1::uuid[], $2::int[], $3::text[], $4::boolean[], $5::jsonb[],
     $6::jsonb[], $7::text[], $8::int[], $9::timestamptz[], $10::text[], $11::text[],
     $12::timestamptz[], $13::text[], $14::boolean[], $15::boolean[], $16::jsonb[])
    AS x(id, expected, status, compensating, data, awaiting, failure_reason, version,
         updated_at, consumer, message_id, fire_at, timer_key, clear_timer, ended, steps)
  ORDER BY id),
u AS (
  UPDATE saga_instances i
     SET status = x.status, compensating = x.compensating, data = x.data,
         awaiting = x.awaiting, failure_reason = x.failure_reason, version = x.version,
         updated_at = x.updated_at, steps = x.steps
    FROM x
   WHERE i.id = x.id AND i.version = x.expected
     AND NOT EXISTS (SELECT 1 FROM unnest(x.claims) AS m(message_id)
                      WHERE (SELECT true FROM saga_inbox b
                              WHERE b.consumer = x.consumer AND b.message_id = m.message_id
                              LIMIT 1))
  RETURNING i.id, x.consumer, x.claims, x.fire_at, x.timer_key, x.clear_timer, x.ended),
c AS (
  INSERT INTO saga_inbox (consumer, message_id)
  SELECT u.consumer, m FROM u, unnest(u.claims) AS m
  ON CONFLICT DO NOTHING RETURNING 1),
a AS (${insertAuditRows(17, 'a.saga_id IN (SELECT id FROM u)')}),
o AS (${insertSagasOutboxRows(20, 'u')}),
ts AS (
  INSERT INTO saga_timers (saga_id, fire_at, key)
  SELECT id, fire_at, timer_key FROM u WHERE fire_at IS NOT NULL
  ON CONFLICT (saga_id) DO UPDATE
     SET fire_at = EXCLUDED.fire_at, key = EXCLUDED.key, attempts = 0, last_error = NULL,
         parked_at = NULL),
tc AS (
  DELETE FROM saga_timers t USING u WHERE t.saga_id = u.id AND u.clear_timer)
SELECT (SELECT coalesce(array_agg(id), '{}') FROM u)::text[] AS changed,
       (SELECT coalesce(array_agg(message_id ORDER BY id), '{}') FROM o)::text[] AS outbox_messages,
       (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM o)::text[] AS outbox_ids,
       (SELECT count(pg_notify('${SAGA_ENDED_CHANNEL}', id::text)::text) FROM u WHERE ended)::int
         AS notified`,
};

/** The parameters of UPDATE_SAGAS_CLAIMING, in its order. */
export function batchValues(writes: readonly ClaimedWrite[]): unknown[] {
  const sagas = writes.map((w) => w.transition.instance);
  const column = <T, V>(rows: readonly T[], pick: (row: T) => V): V[] => rows.map(pick);
  const earlier = writes.flatMap(({ transition: t, claim }) =>
    (claim.alsoClaims ?? []).map((messageId) => ({ id: t.instance.id, messageId })),
  );
  return [
    column(sagas, (s) => s.id),
    column(writes, (w) => w.expectedVersion),
    column(sagas, (s) => s.status),
    column(sagas, (s) => s.compensating),
    column(sagas, (s) => JSON.stringify(s.data ?? null)),
    column(sagas, (s) => awaitingColumn(s.awaiting)),
    column(sagas, (s) => s.failureReason),
    column(sagas, (s) => s.version),
    column(sagas, (s) => s.updatedAt),
    column(writes, (w) => w.claim.consumer),
    column(writes, (w) => w.claim.messageId),
    column(writes, (w) => w.transition.timer?.fireAt ?? null),
    column(writes, (w) => w.transition.timer?.key ?? null),
    column(writes, (w) => w.transition.timer === null),
    column(sagas, (s) => isTerminal(s.status)),
    column(sagas, (s) => stepsColumn(s.steps)),
    ...auditColumns(writes.flatMap(({ transition: t }) => t.audit)),
    ...sagasOutboxColumns(writes.map((w) => w.transition)),
    column(earlier, (r) => r.id),
    column(earlier, (r) => r.messageId),
  ];
}

interface BatchRow extends SagasOutboxRow {
  changed: string[];
}

/** Runs UPDATE_SAGAS_CLAIMING on its own (it commits alone): what each write committed. */
export async function applyClaimedBatch(
  pool: Pool,
  writes: readonly ClaimedWrite[],
): Promise<StandaloneWrite[]> {
  stampTraceContext(writes.flatMap((w) => w.transition.messages));
  const { rows } = await pool.query<BatchRow>({
    ...UPDATE_SAGAS_CLAIMING,
    values: batchValues(writes),
  });
  const changed = new Set(rows[0].changed);
  return writes.map(({ transition }) =>
    changed.has(transition.instance.id)
      ? { applied: true, enqueued: enqueuedBy(transition, rows[0]) }
      : { applied: false, enqueued: [] },
  );
}
