import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A timer whose firing throws is retried with backoff, then parked: its tries, its last error
 * and when it was parked live on its row. Only timers that are not parked are ever claimed.
 */
export class TimerFailures1732250000010 implements MigrationInterface {
  name = 'TimerFailures1732250000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE saga_timers
        ADD COLUMN attempts int NOT NULL DEFAULT 0,
        ADD COLUMN last_error text,
        ADD COLUMN parked_at timestamptz`);
    await q.query(`DROP INDEX saga_timers_fire_at`);
    await q.query(`CREATE INDEX saga_timers_due ON saga_timers (fire_at) WHERE parked_at IS NULL`);
    await q.query(
      `CREATE INDEX saga_timers_parked ON saga_timers (parked_at) WHERE parked_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX saga_timers_parked`);
    await q.query(`DROP INDEX saga_timers_due`);
    await q.query(`CREATE INDEX saga_timers_fire_at ON saga_timers (fire_at)`);
    await q.query(`
      ALTER TABLE saga_timers DROP COLUMN parked_at, DROP COLUMN last_error, DROP COLUMN attempts`);
  }
}
