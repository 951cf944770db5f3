import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where a participant counts the events of a parallel group before it acts once (see
 * `InboxTransaction.join`): one row per saga, step and reaction (`work` or `undo`), holding each reported
 * step's data by step name, and when the join fired.
 */
export class EventJoins1732250000040 implements MigrationInterface {
  name = 'EventJoins1732250000040';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE saga_event_joins (
        saga_id text NOT NULL,
        step text NOT NULL,
        reaction text NOT NULL CHECK (reaction IN ('work', 'undo')),
        arrived jsonb NOT NULL,
        fired_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (saga_id, step, reaction)
      )`);
    // Retention deletes by age, as it does the inbox's.
    await q.query(`CREATE INDEX saga_event_joins_updated ON saga_event_joins (updated_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE saga_event_joins`);
  }
}
