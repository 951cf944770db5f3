import { insertAuditRows } from './audit-statements';

/**
 * The statements of the timers that fail: each writes the timer and the audit lines that tell
 * of it in one round trip, on its own (no transaction around it), and writes nothing at all if
 * the timer is not the one expected. Audit lines come as `auditColumns` gives them.
 */

/**
 * Claims due timers that are not parked ($1 now, $2 limit), except those of the sagas in $3
 * and, when $4/$5 are given, only those of sagas pinned to one of those names and versions.
 * The saga's lock is taken with its timer's, skipping sagas that any transaction holds: every
 * other transition locks the saga first, then sets or clears its timer, so claiming the timer
 * first and waiting for the saga would deadlock with it.
 */
export const CLAIM_DUE_TIMERS = {
  name: 'saga-claim-timers-v2',
  text: `
DELETE FROM saga_timers t USING saga_instances i
 WHERE i.id = t.saga_id
   AND t.saga_id IN (
     SELECT dt.saga_id FROM saga_timers dt JOIN saga_instances di ON di.id = dt.saga_id
      WHERE dt.fire_at <= $1 AND dt.parked_at IS NULL
        AND dt.saga_id <> ALL($3::uuid[])
        AND ($4::text[] IS NULL
             OR (di.definition_name, di.definition_version)
                IN (SELECT * FROM unnest($4::text[], $5::int[])))
      ORDER BY dt.fire_at LIMIT $2 FOR UPDATE OF dt, di SKIP LOCKED)
RETURNING t.saga_id, t.fire_at, t.key, t.attempts, i.definition_name, i.definition_version`,
};

/**
 * A failed try ($1 saga, $2 key, $3 tries before it: the timer as claimed): $4 tries now,
 * $5 the error, $6 when it is due again, or with $7 parked at $8 instead; $9..$11 audit.
 */
export const RECORD_TIMER_FAILURE = {
  name: 'saga-timer-failure-v2',
  text: `
WITH t AS (
  UPDATE saga_timers
     SET attempts = $4, last_error = $5, fire_at = coalesce($6::timestamptz, fire_at),
         parked_at = CASE WHEN $7::boolean THEN $8::timestamptz END
   WHERE saga_id = $1 AND key = $2 AND attempts = $3 AND parked_at IS NULL
  RETURNING saga_id),
a AS (${insertAuditRows(9, 'EXISTS (SELECT 1 FROM t)')})
SELECT (SELECT count(*) FROM t)::int AS changed`,
};

/** Makes the parked timer of saga $1 due at $2 with no failed tries; $3..$5 audit. */
export const RETRY_PARKED_TIMER = {
  name: 'saga-timer-retry-v2',
  text: `
WITH t AS (
  UPDATE saga_timers SET fire_at = $2, attempts = 0, last_error = NULL, parked_at = NULL
   WHERE saga_id = $1 AND parked_at IS NOT NULL
  RETURNING saga_id),
a AS (${insertAuditRows(3, 'EXISTS (SELECT 1 FROM t)')})
SELECT (SELECT count(*) FROM t)::int AS changed`,
};

export const PARKED_TIMERS = `
SELECT saga_id, key, attempts, last_error, parked_at FROM saga_timers
 WHERE parked_at IS NOT NULL AND saga_id = ANY($1::uuid[])`;

export const PENDING_DEFINITIONS = `
SELECT definition_name AS name, definition_version AS version, count(*)::int AS sagas
  FROM saga_instances WHERE status = 'PENDING'
 GROUP BY definition_name, definition_version
 ORDER BY definition_name, definition_version`;
