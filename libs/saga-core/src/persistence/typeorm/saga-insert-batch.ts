import type { Pool } from 'pg';
import { SagaTransition } from '../../model/saga-transition';
import { stampTraceContext } from '../../observability/trace-context';
import { StandaloneWrite } from '../saga-store.port';
import { insertAuditRows } from './audit-statements';
import { auditColumns, awaitingColumn, stepsColumn } from './saga-row.mapper';
import { GatheredCalls } from './gathered-calls';
import {
  enqueuedBy,
  insertSagasOutboxRows,
  sagasOutboxColumns,
  SagasOutboxRow,
} from './saga-batch-statements';

/**
 * INSERT_SAGA for several new sagas at once: one statement, one round trip and one commit.
 * Each saga's audit lines, outbox rows and timer are written only if its own row was: a saga
 * whose start key is taken already writes nothing, and the others are written all the same.
 * `changed` names the sagas written.
 *
 * $1..$17 a row per saga (its steps, timer and key included); $18..$20 the audit lines, one
 * row per saga; $21..$27 the outbox rows, inserted in the order given (`WITH ORDINALITY`),
 * each naming its saga first.
 */
export const INSERT_SAGAS = {
  name: 'sagas-insert-v1',
  text: `
WITH x AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::boolean[],
     $6::jsonb[], $7::jsonb[], $8::text[], $9::jsonb[], $10::text[], $11::text[], $12::int[],
     $13::timestamptz[], $14::timestamptz[], $15::jsonb[], $16::timestamptz[], $17::text[])
    WITH ORDINALITY AS x(id, definition_name, definition_version, status, compensating, data,
         awaiting, failure_reason, labels, start_key, start_fingerprint, version, created_at,
         updated_at, steps, fire_at, timer_key, n)),
i AS (
  INSERT INTO saga_instances (id, definition_name, definition_version, status, compensating,
    data, awaiting, failure_reason, labels, start_key, start_fingerprint, version,
    created_at, updated_at, steps)
  SELECT id, definition_name, definition_version, status, compensating, data, awaiting,
         failure_reason, labels, start_key, start_fingerprint, version, created_at,
         updated_at, steps
    FROM x ORDER BY n
  ON CONFLICT (start_key) DO NOTHING
  RETURNING id),
a AS (${insertAuditRows(18, 'a.saga_id IN (SELECT id FROM i)')}),
o AS (${insertSagasOutboxRows(21, 'i')}),
t AS (
  INSERT INTO saga_timers (saga_id, fire_at, key)
  SELECT x.id, x.fire_at, x.timer_key FROM x
   WHERE x.fire_at IS NOT NULL AND x.id IN (SELECT id FROM i))
SELECT (SELECT coalesce(array_agg(id), '{}') FROM i)::text[] AS changed,
       (SELECT coalesce(array_agg(message_id ORDER BY id), '{}') FROM o)::text[] AS outbox_messages,
       (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM o)::text[] AS outbox_ids`,
};

/** The parameters of INSERT_SAGAS, in its order. */
export function insertBatchValues(transitions: readonly SagaTransition[]): unknown[] {
  const sagas = transitions.map((t) => t.instance);
  return [
    sagas.map((s) => s.id),
    sagas.map((s) => s.definitionName),
    sagas.map((s) => s.definitionVersion),
    sagas.map((s) => s.status),
    sagas.map((s) => s.compensating),
    sagas.map((s) => JSON.stringify(s.data ?? null)),
    sagas.map((s) => awaitingColumn(s.awaiting)),
    sagas.map((s) => s.failureReason),
    sagas.map((s) => JSON.stringify(s.labels ?? {})),
    sagas.map((s) => s.startKey),
    sagas.map((s) => s.startFingerprint),
    sagas.map((s) => s.version),
    sagas.map((s) => s.createdAt),
    sagas.map((s) => s.updatedAt),
    sagas.map((s) => stepsColumn(s.steps)),
    transitions.map((t) => t.timer?.fireAt ?? null),
    transitions.map((t) => t.timer?.key ?? null),
    ...auditColumns(transitions.flatMap((t) => t.audit)),
    ...sagasOutboxColumns(transitions),
  ];
}

interface InsertBatchRow extends SagasOutboxRow {
  changed: string[];
}

/**
 * Runs INSERT_SAGAS on its own (it commits alone): what each insert committed, or undefined
 * for a saga whose start key was taken, which the caller inserts again on its own to read the
 * saga that holds the key.
 */
export async function insertSagaBatch(
  pool: Pool,
  transitions: readonly SagaTransition[],
): Promise<(StandaloneWrite | undefined)[]> {
  stampTraceContext(transitions.flatMap((t) => t.messages));
  const { rows } = await pool.query<InsertBatchRow>({
    ...INSERT_SAGAS,
    values: insertBatchValues(transitions),
  });
  const changed = new Set(rows[0].changed);
  return transitions.map((transition) =>
    changed.has(transition.instance.id.toLowerCase())
      ? { existing: null, applied: true, enqueued: enqueuedBy(transition, rows[0]) }
      : undefined,
  );
}

/**
 * `insert(transition)` of the store: the starts that arrive while two are being written go in
 * one statement (`GatheredCalls`); `one` writes a start on its own, and is what a start whose
 * key was taken goes through again, to read the saga that holds it. `beforeCommit` is reached
 * once for each start, as it is when each is written alone.
 */
export function sagaInserts(
  pool: () => Pool,
  beforeCommit: () => void,
  one: (transition: SagaTransition) => Promise<StandaloneWrite>,
): (transition: SagaTransition) => Promise<StandaloneWrite> {
  const gathered = new GatheredCalls<SagaTransition, StandaloneWrite>(one, (transitions) => {
    transitions.forEach(() => beforeCommit());
    return insertSagaBatch(pool(), transitions);
  });
  return (transition) => {
    // Stamped here, in the caller's context: a statement for several carries no one's.
    stampTraceContext(transition.messages);
    return gathered.make(transition);
  };
}
