import { MigrationInterface, QueryRunner } from 'typeorm';

/** The view of `saga_instances.steps` that shows one step per row, in the old table's columns. */
const STEPS_VIEW = `
  CREATE VIEW saga_step_states AS
  SELECT i.id AS saga_id, (e.n - 1)::int AS step_index, e.s->>'name' AS name,
         e.s->>'status' AS status, (e.s->>'attempts')::int AS attempts,
         (e.s->>'compensationAttempts')::int AS compensation_attempts,
         (e.s->>'startedAt')::timestamptz AS started_at,
         (e.s->>'endedAt')::timestamptz AS ended_at, e.s->>'lastError' AS last_error,
         (e.s->>'mayHaveTakenEffect')::boolean AS may_have_taken_effect
    FROM saga_instances i, jsonb_array_elements(i.steps) WITH ORDINALITY AS e(s, n)`;

/**
 * A saga's steps in its own row (`saga_instances.steps`, a JSON array in order), written with
 * the rest of the saga by the one update every transition makes anyway: a booking wrote 4 step
 * rows and updated them 4 times, each with its index entry and conflict check, and every read
 * of a saga gathered its step rows into JSON. `saga_step_states` becomes a view that shows
 * the steps one per row as before, so queries written against the table keep working.
 */
export class StepsInInstance1732250000031 implements MigrationInterface {
  name = 'StepsInInstance1732250000031';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE saga_instances ADD COLUMN steps jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`
      UPDATE saga_instances i
         SET steps = s.steps
        FROM (SELECT saga_id, jsonb_agg(jsonb_build_object(
                'name', name, 'status', status, 'attempts', attempts,
                'compensationAttempts', compensation_attempts, 'startedAt', started_at,
                'endedAt', ended_at, 'lastError', last_error,
                'mayHaveTakenEffect', may_have_taken_effect) ORDER BY step_index) AS steps
                FROM saga_step_states GROUP BY saga_id) AS s
       WHERE s.saga_id = i.id`);
    await q.query(`DROP TABLE saga_step_states`);
    await q.query(STEPS_VIEW);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER VIEW saga_step_states RENAME TO saga_steps_of_instances`);
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
        may_have_taken_effect boolean NOT NULL DEFAULT false,
        PRIMARY KEY (saga_id, step_index)
      )`);
    await q.query(`INSERT INTO saga_step_states SELECT * FROM saga_steps_of_instances`);
    await q.query(`DROP VIEW saga_steps_of_instances`);
    await q.query(`ALTER TABLE saga_instances DROP COLUMN steps`);
  }
}
