import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fleet and the rentals; the checks keep stock within bounds whatever the code, and only
 * a cancelled rental (a tombstone) may lack its class.
 */
export class Cars1796342400000 implements MigrationInterface {
  name = 'Cars1796342400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cars (
        car_class text PRIMARY KEY,
        cars_total integer NOT NULL CHECK (cars_total >= 0),
        cars_available integer NOT NULL CHECK (cars_available BETWEEN 0 AND cars_total),
        price_per_day integer NOT NULL CHECK (price_per_day >= 0)
      )`);
    await q.query(`
      CREATE TABLE car_rentals (
        booking_id text PRIMARY KEY,
        car_class text REFERENCES cars (car_class),
        days integer NOT NULL CHECK (days >= 0),
        price bigint NOT NULL CHECK (price >= 0),
        status text NOT NULL CHECK (status IN ('RESERVED', 'CANCELLED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (car_class IS NOT NULL OR status = 'CANCELLED')
      )`);
    await q.query(
      `CREATE INDEX car_rentals_reserved ON car_rentals (car_class) WHERE status = 'RESERVED'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE car_rentals`);
    await q.query(`DROP TABLE cars`);
  }
}
