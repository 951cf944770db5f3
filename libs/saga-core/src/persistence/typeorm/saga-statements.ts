import { SAGA_COLUMNS } from './saga-row.mapper';
import { SAGA_ENDED_CHANNEL } from './saga-channels';
import { insertAuditRows } from './audit-statements';

/**
 * The engine's hot statements, each one round trip, prepared once per connection (named).
 * A saga transition is `BEGIN`, CLAIM_AND_LOCK, UPDATE_SAGA, `COMMIT`: the data-modifying
 * CTEs write the state with its steps, the audit lines, the outbox rows and the timer together.
 */

const unnestOutbox = (p: number) =>
  `unnest($${p}::uuid[], $${p + 1}::text[], $${p + 2}::text[], $${p + 3}::text[],
     $${p + 4}::jsonb[], $${p + 5}::jsonb[])`;

/** $1..$14 the saga, $15 its steps, $16..$18 audit, $19..$24 outbox, $25/$26 timer. */
export const INSERT_SAGA = {
  name: 'saga-insert-v4',
  text: `
WITH i AS (
  INSERT INTO saga_instances (id, definition_name, definition_version, status, compensating,
    data, awaiting, failure_reason, labels, start_key, start_fingerprint, version,
    created_at, updated_at, steps)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9::jsonb, $10, $11, $12, $13, $14,
          $15::jsonb)
  ON CONFLICT (start_key) DO NOTHING
  RETURNING id),
a AS (${insertAuditRows(16, 'EXISTS (SELECT 1 FROM i)')}),
o AS (
  INSERT INTO saga_outbox (message_id, exchange, routing_key, type, body, headers)
  SELECT o.* FROM ${unnestOutbox(19)} AS o WHERE EXISTS (SELECT 1 FROM i)
  RETURNING id),
t AS (
  INSERT INTO saga_timers (saga_id, fire_at, key)
  SELECT i.id, $25::timestamptz, $26::text FROM i WHERE $25::timestamptz IS NOT NULL)
SELECT (SELECT count(*) FROM i)::int AS changed,
       (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM o)::text[] AS outbox_ids`,
};

/**
 * Compare-and-set on `version` ($1 id, $2 expected), then the rest as INSERT_SAGA ($3..$9 the
 * saga, $10 the steps, $11..$13 audit, $14..$19 outbox, $20/$21 timer); $22 clears the timer,
 * $23 notifies waiters that the saga ended (delivered on commit only). A timer set again starts
 * with no failed tries. Every write
 * hangs on the compare-and-set: when the version did not match, `changed` is 0 and nothing at
 * all was written, so the statement is safe on its own, outside a transaction.
 *
 * With `claim`, it also records the messages that caused the transition ($24 consumer, $25
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
         failure_reason = $7, version = $8, updated_at = $9, steps = $10::jsonb
   WHERE id = $1 AND version = $2${
     claim
       ? `
     AND NOT EXISTS (SELECT 1 FROM saga_inbox
                      WHERE consumer = $24 AND message_id = ANY($25::text[]))`
       : ''
   }
  RETURNING id),${
    claim
      ? `
c AS (
  INSERT INTO saga_inbox (consumer, message_id) SELECT $24, m FROM u, unnest($25::text[]) AS m
  ON CONFLICT DO NOTHING RETURNING 1),`
      : ''
  }
a AS (${insertAuditRows(11, 'EXISTS (SELECT 1 FROM u)')}),
o AS (
  INSERT INTO saga_outbox (message_id, exchange, routing_key, type, body, headers)
  SELECT o.* FROM u, ${unnestOutbox(14)} AS o
  RETURNING id),
ts AS (
  INSERT INTO saga_timers (saga_id, fire_at, key)
  SELECT u.id, $20::timestamptz, $21::text FROM u WHERE $20::timestamptz IS NOT NULL
  ON CONFLICT (saga_id) DO UPDATE
     SET fire_at = EXCLUDED.fire_at, key = EXCLUDED.key, attempts = 0, last_error = NULL,
         parked_at = NULL),
tc AS (
  DELETE FROM saga_timers WHERE saga_id = $1 AND $22::boolean AND EXISTS (SELECT 1 FROM u))
SELECT (SELECT count(*) FROM u)::int AS changed,
       (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM o)::text[] AS outbox_ids,
       CASE WHEN $23::boolean AND EXISTS (SELECT 1 FROM u)
            THEN pg_notify('${SAGA_ENDED_CHANNEL}', $1::text) END AS notified`;

export const UPDATE_SAGA = { name: 'saga-update-v5', text: updateSaga(false) };

/** UPDATE_SAGA that also claims the message in the inbox: a whole transition, alone. */
export const UPDATE_SAGA_CLAIMING = { name: 'saga-update-claiming-v5', text: updateSaga(true) };

/**
 * Records the message in the inbox ($1 consumer, $2 message id) and locks its saga ($3). The
 * saga, its steps included, is the locked row as it is once the lock is granted: PostgreSQL
 * reads a row that another transaction changed meanwhile again before locking it.
 */
export const CLAIM_AND_LOCK = {
  name: 'saga-claim-lock-v3',
  text: `
WITH c AS (
  INSERT INTO saga_inbox (consumer, message_id) VALUES ($1, $2)
  ON CONFLICT DO NOTHING RETURNING 1)
SELECT (SELECT count(*) FROM c)::int AS claimed, ${SAGA_COLUMNS}
  FROM saga_instances i WHERE i.id = $3
   FOR UPDATE OF i`,
};

/** The lock alone. */
export const LOCK = {
  name: 'saga-lock-v3',
  text: `
SELECT 1 AS claimed, ${SAGA_COLUMNS}
  FROM saga_instances i WHERE i.id = $1
   FOR UPDATE OF i`,
};

export const FIND_SAGA = {
  name: 'saga-find-v3',
  text: `SELECT ${SAGA_COLUMNS} FROM saga_instances i WHERE i.id = $1`,
};

/** Several sagas by id at once (`BatchedReads`). */
export const FIND_SAGAS = {
  name: 'saga-find-many-v1',
  text: `SELECT ${SAGA_COLUMNS} FROM saga_instances i WHERE i.id = ANY($1::uuid[])`,
};
