import { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts and payments; the check keeps a balance from going negative whatever the code. */
export class Payments1732260000000 implements MigrationInterface {
  name = 'Payments1732260000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        customer_id text PRIMARY KEY,
        balance bigint NOT NULL CHECK (balance >= 0),
        initial_balance bigint NOT NULL CHECK (initial_balance >= 0)
      )`);
    await q.query(`
      CREATE TABLE payments (
        booking_id text PRIMARY KEY,
        customer_id text REFERENCES accounts (customer_id),
        amount bigint NOT NULL CHECK (amount >= 0),
        status text NOT NULL CHECK (status IN ('CHARGED', 'REFUNDED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX payments_charged ON payments (customer_id) WHERE status = 'CHARGED'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payments`);
    await q.query(`DROP TABLE accounts`);
  }
}
