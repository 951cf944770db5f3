import { MigrationInterface, QueryRunner } from 'typeorm';

/** The view of `saga_audit` that shows one row per audit line, in the old table's columns. */
const AUDIT_LINES_VIEW = `
  CREATE VIEW saga_audit_log AS
  SELECT a.id, e.n::int AS line, a.saga_id, (e.l->>'at')::timestamptz AS at, e.l->>'type' AS type,
         e.l->>'step' AS step, coalesce(e.l->'detail', '{}'::jsonb) AS detail
    FROM saga_audit a, jsonb_array_elements(a.lines) WITH ORDINALITY AS e(l, n)`;

/**
 * The audit log as one row per transition: the lines a transition wrote, in order, in one JSON
 * array (`lines`), keyed by (saga, id) so one index serves both the insert and a saga's
 * reading. A booking wrote about 11 rows and 22 index entries of audit; it now writes one row
 * and one entry per transition. The lines are the same; `saga_audit_log` becomes a view that
 * shows them one per row as before (with `line`, the place in its transition), so queries
 * written against the table keep working. Append-only as before, enforced by a trigger.
 */
export class AuditPerTransition1732250000030 implements MigrationInterface {
  name = 'AuditPerTransition1732250000030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE saga_audit (
        saga_id uuid NOT NULL,
        id bigserial NOT NULL,
        at timestamptz NOT NULL,
        lines jsonb NOT NULL,
        PRIMARY KEY (saga_id, id)
      )`);
    await q.query(`
      INSERT INTO saga_audit (saga_id, id, at, lines)
      SELECT saga_id, id, at,
             jsonb_build_array(jsonb_build_object('at', at, 'type', type, 'step', step,
                                                  'detail', detail))
        FROM saga_audit_log ORDER BY id`);
    await q.query(`
      SELECT setval(pg_get_serial_sequence('saga_audit', 'id'),
                    coalesce((SELECT max(id) FROM saga_audit), 1),
                    EXISTS (SELECT 1 FROM saga_audit))`);
    await q.query(`DROP TABLE saga_audit_log`);
    await q.query(`DROP FUNCTION saga_audit_log_append_only()`);
    await appendOnly(q, 'saga_audit');
    await q.query(AUDIT_LINES_VIEW);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER VIEW saga_audit_log RENAME TO saga_audit_lines`);
    await q.query(`
      CREATE TABLE saga_audit_log (
        id bigserial PRIMARY KEY,
        saga_id uuid NOT NULL,
        at timestamptz NOT NULL,
        type text NOT NULL,
        step text,
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX saga_audit_log_saga ON saga_audit_log (saga_id, id)`);
    await q.query(`
      INSERT INTO saga_audit_log (saga_id, at, type, step, detail)
      SELECT saga_id, at, type, step, detail FROM saga_audit_lines ORDER BY id, line`);
    await q.query(`DROP VIEW saga_audit_lines`);
    await q.query(`DROP TABLE saga_audit`);
    await q.query(`DROP FUNCTION saga_audit_append_only()`);
    await appendOnly(q, 'saga_audit_log');
  }
}

/** The log is evidence: a trigger refuses every update and delete of `table`'s rows. */
async function appendOnly(q: QueryRunner, table: string): Promise<void> {
  await q.query(`
    CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '${table} is append-only: % refused', TG_OP;
    END
    $$`);
  await q.query(`
    CREATE TRIGGER ${table}_append_only
      BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`);
}
