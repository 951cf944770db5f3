import { MigrationInterface, QueryRunner } from 'typeorm';

/** The catalogue and the reservations; the checks keep stock within bounds whatever the code. */
export class Hotels1732260000000 implements MigrationInterface {
  name = 'Hotels1732260000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE hotels (
        hotel_id text PRIMARY KEY,
        rooms_total integer NOT NULL CHECK (rooms_total >= 0),
        rooms_available integer NOT NULL CHECK (rooms_available BETWEEN 0 AND rooms_total),
        price_per_night integer NOT NULL CHECK (price_per_night >= 0)
      )`);
    await q.query(`
      CREATE TABLE hotel_reservations (
        booking_id text PRIMARY KEY,
        hotel_id text REFERENCES hotels (hotel_id),
        rooms integer NOT NULL CHECK (rooms >= 0),
        nights integer NOT NULL CHECK (nights >= 0),
        price bigint NOT NULL CHECK (price >= 0),
        status text NOT NULL CHECK (status IN ('RESERVED', 'CANCELLED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX hotel_reservations_reserved ON hotel_reservations (hotel_id) WHERE status = 'RESERVED'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE hotel_reservations`);
    await q.query(`DROP TABLE hotels`);
  }
}
