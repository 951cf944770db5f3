import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-row publishing state of the outbox: a row that fails is retried with backoff
 * (`next_attempt_at`), and once its tries are spent it is parked (`parked_at`) until an
 * operator releases it. The relay's claim skips both, so they never block the rows behind.
 */
export class OutboxParking1732250000020 implements MigrationInterface {
  name = 'OutboxParking1732250000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE saga_outbox
        ADD COLUMN attempts int NOT NULL DEFAULT 0,
        ADD COLUMN next_attempt_at timestamptz,
        ADD COLUMN last_error text,
        ADD COLUMN parked_at timestamptz`);
    // The relay claims in id order among the rows that may be published.
    await q.query(`DROP INDEX saga_outbox_unsent`);
    await q.query(`
      CREATE INDEX saga_outbox_unsent ON saga_outbox (id)
        WHERE sent_at IS NULL AND parked_at IS NULL`);
    await q.query(`
      CREATE INDEX saga_outbox_parked ON saga_outbox (id)
        WHERE sent_at IS NULL AND parked_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX saga_outbox_parked`);
    await q.query(`DROP INDEX saga_outbox_unsent`);
    await q.query(`CREATE INDEX saga_outbox_unsent ON saga_outbox (id) WHERE sent_at IS NULL`);
    await q.query(`
      ALTER TABLE saga_outbox
        DROP COLUMN parked_at,
        DROP COLUMN last_error,
        DROP COLUMN next_attempt_at,
        DROP COLUMN attempts`);
  }
}
