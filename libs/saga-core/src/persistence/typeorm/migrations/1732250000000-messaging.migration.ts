import { MigrationInterface, QueryRunner } from 'typeorm';

/** Outbox and inbox: every app that sends or consumes messages has these two tables. */
export class Messaging1732250000000 implements MigrationInterface {
  name = 'Messaging1732250000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE saga_outbox (
        id bigserial PRIMARY KEY,
        message_id uuid NOT NULL UNIQUE,
        exchange text NOT NULL,
        routing_key text NOT NULL,
        type text NOT NULL,
        body jsonb NOT NULL,
        headers jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(`CREATE INDEX saga_outbox_unsent ON saga_outbox (id) WHERE sent_at IS NULL`);
    await q.query(`
      CREATE TABLE saga_inbox (
        consumer text NOT NULL,
        message_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE saga_inbox`);
    await q.query(`DROP TABLE saga_outbox`);
  }
}
