import { SAGA_COLUMNS } from './saga-row.mapper';
import { SAGA_ENDED_CHANNEL } from './saga-channels';
import { insertAuditRows } from './audit-statements';

/**
 * The engine's hot statements, each one round trip, prepared once per connection (named).
 * A saga transition is `BEGIN`, CLAIM_AND_LOCK, UPDATE_SAGA, `COMMIT`: the data-modifying
 * CTEs write the state, the steps, the audit lines, the outbox rows and the timer together.
 */

export const STEP_UPSERT_SET = `
  ON CONFLICT (saga_id, step_index) DO UPDATE
     SET name = EXCLUDED.name, status = EXCLUDED.status, attempts = EXCLUDED.attempts,
         compensation_attempts = EXCLUDED.compensation_attempts,
         started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at,
         last_error = EXCLUDED.last_error, may_have_taken_effect = EXCLUDED.may_have_taken_effect
   WHERE (t.name, t.status, t.attempts, t.compensation_attempts, t.started_at, t.ended_at,
          t.last_error, t.may_have_taken_effect)
         IS DISTINCT FROM
         (EXCLUDED.name, EXCLUDED.status, EXCLUDED.attempts, EXCLUDED.compensation_attempts,
          EXCLUDED.started_at, EXCLUDED.ended_at, EXCLUDED.last_error,
          EXCLUDED.may_have_taken_effect)`;

export const STEP_COLUMNS = `saga_id, step_index, name, status, attempts, compensation_attempts,
  started_at, ended_at, last_error, may_have_taken_effect`;

const unnestSteps = (p: number) =>
  `unnest($${p}::int[], $${p + 1}::text[], $${p + 2}::text[], $${p + 3}::int[], $${p + 4}::int[],
     $${p + 5}::timestamptz[], $${p + 6}::timestamptz[], $${p + 7}::text[], $${p + 8}::boolean[])`;
const unnestOutbox = (p: number) =>
  `unnest($${p}::uuid[], $${p + 1}::text[], $${p + 2}::text[], $${p + 3}::text[],
     $${p + 4}::jsonb[], $${p + 5}::jsonb[])`;

/** $1..$14 the saga, $15..$23 steps, $24..$26 audit, $27..$32 outbox, $33/$34 timer. */
export const INSERT_SAGA = {
  name: 'saga-insert-v3',
  text: `
WITH i AS (
  INSERT INTO saga_instances (id, definition_name, definition_version, status, compensating,
    data, awaiting, failure_reason, labels, start_key, start_fingerprint, version,
    created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9::jsonb, $10, $11, $12, $13, $14)
  ON CONFLICT (start_key) DO NOTHING
  RETURNING id),
s AS (
  INSERT INTO saga_step_states (${STEP_COLUMNS})
  SELECT i.id, s.* FROM i, ${unnestSteps(15)} AS s),
a AS (${insertAuditRows(24, 'EXISTS (SELECT 1 FROM i)')}),
o AS (
  INSERT INTO saga_outbox (message_id, exchange, routing_key, type, body, headers)
  SELECT o.* FROM ${unnestOutbox(27)} AS o WHERE EXISTS (SELECT 1 FROM i)
  RETURNING id),
t AS (
  INSERT INTO saga_timers (saga_id, fire_at, key)
  SELECT i.id, $33::timestamptz, $34::text FROM i WHERE $33::timestamptz IS NOT NULL)
SELECT (SELECT count(*) FROM i)::int AS changed,
       (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM o)::text[] AS outbox_ids`,
};

/**
 * Compare-and-set on `version` ($1 id, $2 expected), then the rest as INSERT_SAGA ($3..$9 the
 * saga, $10..$18 steps, $19..$21 audit, $22..$27 outbox, $28/$29 timer); $30 clears the timer,
 * $31 notifies waiters that the saga ended (delivered on commit only). A timer set again starts
 * with no failed tries. Every write
 * hangs on the compare-and-set: when the version did not match, `changed` is 0 and nothing at
 * all was written, so the statement is safe on its own, outside a transaction.
 *
 * With `claim`, it also records the messages that caused the transition ($32 consumer, $33
 * their ids: one, or a saga's messages decided together) in the inbox, and changes nothing
 * if the inbox already has any of them: one statement,
 * one round trip, for a transition decided on a copy of the saga read earlier. The version
 * decides races: every transition that claims a message of this saga also moves its version,
 * so a concurrent one is seen (PostgreSQL re-checks the row's version once its lock is free).
 */
const updateSaga = (claim: boolean) => `
WITH u AS (
  UPDATE saga_instances
     SET status = $3, compensating = $4, data = $5::jsonb, awaiting = $6::jsonb,
         failure_reason = $7, version = $8, updated_at = $9
   WHERE id = $1 AND version = $2${
     claim
       ? `
     AND NOT EXISTS (SELECT 1 FROM saga_inbox
                      WHERE consumer = $32 AND message_id = ANY($33::text[]))`
       : ''
   }
  RETURNING id),${
    claim
      ? `
c AS (
  INSERT INTO saga_inbox (consumer, message_id) SELECT $32, m FROM u, unnest($33::text[]) AS m
  ON CONFLICT DO NOTHING RETURNING 1),`
      : ''
  }
s AS (
  INSERT INTO saga_step_states AS t (${STEP_COLUMNS})
  SELECT u.id, s.* FROM u, ${unnestSteps(10)} AS s
  ${STEP_UPSERT_SET}),
a AS (${insertAuditRows(19, 'EXISTS (SELECT 1 FROM u)')}),
o AS (
  INSERT INTO saga_outbox (message_id, exchange, routing_key, type, body, headers)
  SELECT o.* FROM u, ${unnestOutbox(22)} AS o
  RETURNING id),
ts AS (
  INSERT INTO saga_timers (saga_id, fire_at, key)
  SELECT u.id, $28::timestamptz, $29::text FROM u WHERE $28::timestamptz IS NOT NULL
  ON CONFLICT (saga_id) DO UPDATE
     SET fire_at = EXCLUDED.fire_at, key = EXCLUDED.key, attempts = 0, last_error = NULL,
         parked_at = NULL),
tc AS (
  DELETE FROM saga_timers WHERE saga_id = $1 AND $30::boolean AND EXISTS (SELECT 1 FROM u))
SELECT (SELECT count(*) FROM u)::int AS changed,
       (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM o)::text[] AS outbox_ids,
       CASE WHEN $31::boolean AND EXISTS (SELECT 1 FROM u)
            THEN pg_notify('${SAGA_ENDED_CHANNEL}', $1::text) END AS notified`;

export const UPDATE_SAGA = { name: 'saga-update-v4', text: updateSaga(false) };

/** UPDATE_SAGA that also claims the message in the inbox: a whole transition, alone. */
export const UPDATE_SAGA_CLAIMING = { name: 'saga-update-claiming-v4', text: updateSaga(true) };

/**
 * Records the message in the inbox ($1 consumer, $2 message id) and locks its saga ($3). The
 * steps come from the statement's snapshot, taken before the lock was granted: if another
 * transaction changed the saga meanwhile, `seen_version` (that snapshot's) differs from
 * `version` (the locked row's) and the caller reads the saga again.
 */
export const CLAIM_AND_LOCK = {
  name: 'saga-claim-lock-v2',
  text: `
WITH c AS (
  INSERT INTO saga_inbox (consumer, message_id) VALUES ($1, $2)
  ON CONFLICT DO NOTHING RETURNING 1)
SELECT (SELECT count(*) FROM c)::int AS claimed,
       (SELECT v.version FROM saga_instances v WHERE v.id = i.id) AS seen_version,
       ${SAGA_COLUMNS}
  FROM saga_instances i WHERE i.id = $3
   FOR UPDATE OF i`,
};

/** The lock alone, with the same check of the steps' snapshot. */
export const LOCK = {
  name: 'saga-lock-v2',
  text: `
SELECT 1 AS claimed,
       (SELECT v.version FROM saga_instances v WHERE v.id = i.id) AS seen_version,
       ${SAGA_COLUMNS}
  FROM saga_instances i WHERE i.id = $1
   FOR UPDATE OF i`,
};

export const FIND_SAGA = {
  name: 'saga-find-v2',
  text: `SELECT ${SAGA_COLUMNS} FROM saga_instances i WHERE i.id = $1`,
};
