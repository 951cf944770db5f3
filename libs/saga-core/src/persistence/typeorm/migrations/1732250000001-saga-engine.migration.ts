import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The orchestrator's tables: definitions, instances with their steps, the audit log and the
 * one timer per saga. Written by hand (never `synchronize`) so indexes and the audit trigger
 * are exactly what the queries in `typeorm-saga.store.ts` need.
 */
export class SagaEngine1732250000001 implements MigrationInterface {
  name = 'SagaEngine1732250000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE saga_definitions (
        name text NOT NULL,
        version int NOT NULL,
        spec jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, version)
      )`);

    await q.query(`
      CREATE TABLE saga_instances (
        id uuid PRIMARY KEY,
        definition_name text NOT NULL,
        definition_version int NOT NULL,
        status text NOT NULL,
        compensating boolean NOT NULL DEFAULT false,
        data jsonb NOT NULL,
        awaiting jsonb,
        failure_reason text,
        labels jsonb NOT NULL DEFAULT '{}',
        start_key text UNIQUE,
        start_fingerprint text,
        version int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // `GET /bookings?mode=&status=&limit=`: newest first, optionally by status, by labels.
    await q.query(
      `CREATE INDEX saga_instances_created_at ON saga_instances (created_at DESC, id DESC)`,
    );
    await q.query(`
      CREATE INDEX saga_instances_status_created_at
        ON saga_instances (status, created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX saga_instances_labels ON saga_instances USING gin (labels jsonb_path_ops)`,
    );

    await q.query(`
      CREATE TABLE saga_step_states (
        saga_id uuid NOT NULL REFERENCES saga_instances (id) ON DELETE CASCADE,
        step_index int NOT NULL,
        name text NOT NULL,
        status text NOT NULL,
        attempts int NOT NULL DEFAULT 0,
        compensation_attempts int NOT NULL DEFAULT 0,
        started_at timestamptz,
        ended_at timestamptz,
        last_error text,
        PRIMARY KEY (saga_id, step_index)
      )`);

    // No foreign key to saga_instances: a cascading delete would fight the append-only trigger.
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
    // The log is evidence: enforce append-only in the database, not only in the code.
    await q.query(`
      CREATE FUNCTION saga_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'saga_audit_log is append-only: % refused', TG_OP;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER saga_audit_log_append_only
        BEFORE UPDATE OR DELETE ON saga_audit_log
        FOR EACH ROW EXECUTE FUNCTION saga_audit_log_append_only()`);

    await q.query(`
      CREATE TABLE saga_timers (
        saga_id uuid PRIMARY KEY REFERENCES saga_instances (id) ON DELETE CASCADE,
        fire_at timestamptz NOT NULL,
        key text NOT NULL
      )`);
    await q.query(`CREATE INDEX saga_timers_fire_at ON saga_timers (fire_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE saga_timers`);
    await q.query(`DROP TABLE saga_audit_log`);
    await q.query(`DROP FUNCTION saga_audit_log_append_only()`);
    await q.query(`DROP TABLE saga_step_states`);
    await q.query(`DROP TABLE saga_instances`);
    await q.query(`DROP TABLE saga_definitions`);
  }
}
