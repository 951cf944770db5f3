import { MigrationInterface, QueryRunner } from 'typeorm';

/** The catalogue and the reservations; the checks keep stock within bounds whatever the code. */
export class Flights1732260000000 implements MigrationInterface {
  name = 'Flights1732260000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE flights (
        flight_id text PRIMARY KEY,
        seats_total integer NOT NULL CHECK (seats_total >= 0),
        seats_available integer NOT NULL CHECK (seats_available BETWEEN 0 AND seats_total),
        price integer NOT NULL CHECK (price >= 0)
      )`);
    await q.query(`
      CREATE TABLE flight_reservations (
        booking_id text PRIMARY KEY,
        flight_id text REFERENCES flights (flight_id),
        seats integer NOT NULL CHECK (seats >= 0),
        price integer NOT NULL CHECK (price >= 0),
        status text NOT NULL CHECK (status IN ('RESERVED', 'CANCELLED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX flight_reservations_reserved ON flight_reservations (flight_id) WHERE status = 'RESERVED'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE flight_reservations`);
    await q.query(`DROP TABLE flights`);
  }
}
