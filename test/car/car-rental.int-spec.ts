import { runMigrations } from '@app/platform';
import { TerminalStepError } from '@app/saga-core';
import { DataSource, QueryRunner } from 'typeorm';
import { Car } from '../../apps/car-service/src/car.entity';
import { CarFleetService } from '../../apps/car-service/src/car-fleet.service';
import { CarRental } from '../../apps/car-service/src/car-rental.entity';
import { CarRentalService } from '../../apps/car-service/src/car-rental.service';
import { ReserveCar } from '@app/trip-api';
import { Cars1796342400000 } from '../../apps/car-service/src/migrations/1796342400000-cars.migration';
import { TestDatabase, createTestDatabase } from '../support/postgres';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

interface Stock {
  carClass: string;
  used: number;
  reserved: number;
}

describe('CarRentalService over PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const rentals = new CarRentalService();
  let seq = 0;
  const nextBooking = (): string => `car-booking-${++seq}`;

  beforeAll(async () => {
    database = await createTestDatabase('car');
    // The app's entities and migrations, on a database of the test's own.
    dataSource = new DataSource({
      type: 'postgres',
      url: database.url,
      entities: [Car, CarRental],
      migrations: [Cars1796342400000],
      synchronize: false,
      logging: false,
    });
    await dataSource.initialize();
    await runMigrations(dataSource);
    await new CarFleetService(dataSource).onModuleInit();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.dispose();
  });

  /** Every class: cars taken from its stock, and the rentals that hold one. */
  async function stock(): Promise<Stock[]> {
    return dataSource.query<Stock[]>(
      `SELECT c.car_class AS "carClass", c.cars_total - c.cars_available AS used,
              (COUNT(r.booking_id) FILTER (WHERE r.status = 'RESERVED'))::int AS reserved
         FROM cars c LEFT JOIN car_rentals r ON r.car_class = c.car_class
        GROUP BY c.car_class ORDER BY c.car_class`,
    );
  }

  async function available(carClass: string): Promise<number> {
    const [row] = await dataSource.query<{ available: number }[]>(
      `SELECT cars_available AS available FROM cars WHERE car_class = $1`,
      [carClass],
    );
    return row.available;
  }

  async function rentalRow(bookingId: string) {
    const rows = await dataSource.query<{ carClass: string | null; status: string }[]>(
      `SELECT car_class AS "carClass", status FROM car_rentals WHERE booking_id = $1`,
      [bookingId],
    );
    return rows[0];
  }

  /** Rents cars of `carClass` until `left` remain. */
  async function leave(carClass: string, left: number): Promise<void> {
    while ((await available(carClass)) > left) {
      await reserve({ bookingId: nextBooking(), carClass, days: 1 });
    }
  }

  const reserve = (request: ReserveCar) =>
    dataSource.transaction((manager) => rentals.reserve(manager, request));
  const cancel = (bookingId: string) =>
    dataSource.transaction((manager) => rentals.cancel(manager, bookingId));

  async function refusal(attempt: Promise<unknown>): Promise<TerminalStepError> {
    const error: unknown = await attempt.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(TerminalStepError);
    return error as TerminalStepError;
  }

  // The stock invariant, after every test: cars taken = rentals holding one, class by class.
  afterEach(async () => {
    for (const { carClass, used, reserved } of await stock()) {
      expect({ carClass, used }).toEqual({ carClass, used: reserved });
    }
  });

  it('seeds the fleet once, LUXURY with a single car', async () => {
    await new CarFleetService(dataSource).onModuleInit();
    const fleet = await dataSource.query<{ carClass: string; total: number; price: number }[]>(
      `SELECT car_class AS "carClass", cars_total AS total, price_per_day AS price
         FROM cars ORDER BY car_class`,
    );
    expect(fleet).toEqual([
      { carClass: 'COMPACT', total: 100_000, price: 45 },
      { carClass: 'ECONOMY', total: 100_000, price: 35 },
      { carClass: 'LUXURY', total: 1, price: 220 },
      { carClass: 'SUV', total: 10_000, price: 90 },
    ]);
  });

  it('rents one car and prices it days × the daily price', async () => {
    const bookingId = nextBooking();
    const before = await available('COMPACT');
    await expect(reserve({ bookingId, carClass: 'COMPACT', days: 3 })).resolves.toEqual({
      carClass: 'COMPACT',
      days: 3,
      price: 135,
    });
    expect(await available('COMPACT')).toBe(before - 1);
    expect(await rentalRow(bookingId)).toEqual({ carClass: 'COMPACT', status: 'RESERVED' });
  });

  it('takes one car for a redelivered reservation, and replies the same', async () => {
    const bookingId = nextBooking();
    const before = await available('ECONOMY');
    const first = await reserve({ bookingId, carClass: 'ECONOMY', days: 2 });
    const again = await reserve({ bookingId, carClass: 'ECONOMY', days: 2 });
    expect(again).toEqual(first);
    expect(first).toEqual({ carClass: 'ECONOMY', days: 2, price: 70 });
    expect(await available('ECONOMY')).toBe(before - 1);
  });

  it('gives the last car to one of two concurrent bookings, and SOLD_OUT to the other', async () => {
    // Leave one LUXURY car, then hold the first booking's transaction open on it.
    await leave('LUXURY', 1);
    const [first, second] = [nextBooking(), nextBooking()];
    const open: QueryRunner = dataSource.createQueryRunner();
    await open.connect();
    try {
      await open.startTransaction();
      await rentals.reserve(open.manager, { bookingId: first, carClass: 'LUXURY', days: 4 });
      const pid = await open.manager.query<{ pid: number }[]>(`SELECT pg_backend_pid() AS pid`);
      const contender = reserve({ bookingId: second, carClass: 'LUXURY', days: 4 });
      // The second booking is inside its statement, blocked by the first one's transaction.
      await waitFor(
        async () => {
          const [row] = await dataSource.query<{ waiting: number }[]>(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'
                AND $1 = ANY (pg_blocking_pids(pid))`,
            [pid[0].pid],
          );
          return row.waiting > 0 ? true : undefined;
        },
        { what: 'the second reservation waiting on the first' },
      );
      await open.commitTransaction();
      expect((await refusal(contender)).code).toBe('SOLD_OUT');
    } finally {
      await open.release();
    }
    expect(await rentalRow(first)).toEqual({ carClass: 'LUXURY', status: 'RESERVED' });
    expect(await rentalRow(second)).toBeUndefined();
    expect(await available('LUXURY')).toBe(0);
  });

  it('refuses a class with no car left as SOLD_OUT, and keeps no rental', async () => {
    const bookingId = nextBooking();
    await leave('LUXURY', 0);
    expect((await refusal(reserve({ bookingId, carClass: 'LUXURY', days: 1 }))).code).toBe(
      'SOLD_OUT',
    );
    expect(await rentalRow(bookingId)).toBeUndefined();
  });

  it('releases the car once, however many times the cancel comes', async () => {
    const bookingId = nextBooking();
    const before = await available('SUV');
    await reserve({ bookingId, carClass: 'SUV', days: 5 });
    await cancel(bookingId);
    await cancel(bookingId);
    await Promise.all([cancel(bookingId), cancel(bookingId)]);
    expect(await available('SUV')).toBe(before);
    expect(await rentalRow(bookingId)).toEqual({ carClass: 'SUV', status: 'CANCELLED' });
  });

  it('refuses a rental as ALREADY_CANCELLED when its cancel came first', async () => {
    const bookingId = nextBooking();
    const before = await available('COMPACT');
    await cancel(bookingId);
    expect(await rentalRow(bookingId)).toEqual({ carClass: null, status: 'CANCELLED' });
    const late = reserve({ bookingId, carClass: 'COMPACT', days: 2 });
    expect((await refusal(late)).code).toBe('ALREADY_CANCELLED');
    expect(await available('COMPACT')).toBe(before);
    expect(await rentalRow(bookingId)).toEqual({ carClass: null, status: 'CANCELLED' });
  });

  it('refuses a released rental redelivered as ALREADY_CANCELLED', async () => {
    const bookingId = nextBooking();
    await reserve({ bookingId, carClass: 'ECONOMY', days: 1 });
    await cancel(bookingId);
    const before = await available('ECONOMY');
    const again = reserve({ bookingId, carClass: 'ECONOMY', days: 1 });
    expect((await refusal(again)).code).toBe('ALREADY_CANCELLED');
    expect(await available('ECONOMY')).toBe(before);
  });

  it('refuses an unknown class as UNKNOWN_CAR_CLASS, and keeps no rental', async () => {
    const bookingId = nextBooking();
    const attempt = reserve({ bookingId, carClass: 'LIMOUSINE', days: 1 });
    expect((await refusal(attempt)).code).toBe('UNKNOWN_CAR_CLASS');
    expect(await rentalRow(bookingId)).toBeUndefined();
  });
});
