import { Injectable } from '@nestjs/common';
import { UndoMarker, preparedQuery } from '@app/saga-core';
import { CarReserved, ReserveCar, TripErrorCode, TripRefusedError } from '@app/trip-api';
import { EntityManager } from 'typeorm';
import { CarRental, CarRentalStatus } from './car-rental.entity';

/** What the reserve statement found: null columns for an unknown class or an existing row. */
interface ReserveOutcome {
  carsTotal: number | null;
  price: number | null;
  taken: number;
}

/**
 * Rents and releases cars, one per booking, in the caller's transaction. Knows nothing of
 * messaging: the saga's command handler and a choreographed event handler can share it.
 *
 * Race safety: the rental row's primary key serialises everything about one booking (an
 * insert waits for a concurrent one to commit), and stock only moves through conditional
 * updates, so neither a redelivery nor a concurrent cancel can double-count a car. Each
 * method leaves the transaction as it found it when it refuses, so a caller may go on and
 * commit a refusal (as the choreographed handler does); no savepoint is needed for that.
 */
/** A booking's car: a tombstone for an undo that comes first, else given back once. */
const RENTALS = new UndoMarker({
  table: 'car_rentals',
  key: 'booking_id',
  held: CarRentalStatus.RESERVED,
  undone: CarRentalStatus.CANCELLED,
  tombstone: { car_class: null, days: 0, price: 0 },
  touched: 'updated_at',
  stock: {
    table: 'cars',
    key: 'car_class',
    column: 'cars_available',
    owner: 'car_class',
    amount: 1,
  },
});

@Injectable()
export class CarRentalService {
  /**
   * Idempotent: a booking already holding a car gets its rental back, nothing is taken twice.
   * One round trip on the way that matters: the class, the rental priced from it (every day
   * at the daily price) and its car, in one statement.
   */
  async reserve(manager: EntityManager, request: ReserveCar): Promise<CarReserved> {
    const { bookingId, carClass, days } = request;
    // A car is taken only if this statement inserted the rental: a redelivery finds the row,
    // waits for it if it is not committed yet, and takes nothing. The days are cast once so
    // that the price is computed in bigint, as it is stored.
    const [outcome] = await preparedQuery<ReserveOutcome>(
      manager,
      {
        name: 'car-reserve-v1',
        text: `WITH c AS (SELECT cars_total, price_per_day FROM cars WHERE car_class = $2),
       r AS (
         INSERT INTO car_rentals (booking_id, car_class, days, price, status)
         SELECT $1, $2, $3::int, c.price_per_day::bigint * $3::int, '${CarRentalStatus.RESERVED}'
           FROM c WHERE c.cars_total >= 1
         ON CONFLICT (booking_id) DO NOTHING
         RETURNING price),
       t AS (
         UPDATE cars SET cars_available = cars_available - 1
          WHERE car_class = $2 AND cars_available >= 1 AND EXISTS (SELECT 1 FROM r)
         RETURNING 1)
       SELECT (SELECT cars_total FROM c) AS "carsTotal",
              -- bigint would come back as a string; a rental's price is far below 2^53.
              (SELECT price FROM r)::float8 AS price,
              (SELECT count(*) FROM t)::int AS taken`,
      },
      [bookingId, carClass, days],
    );
    if (outcome.carsTotal === null) {
      throw new TripRefusedError(TripErrorCode.UNKNOWN_CAR_CLASS, `No car class ${carClass}`);
    }
    if (outcome.carsTotal === 0) throw soldOut(carClass);
    if (outcome.price === null) return this.existing(manager, bookingId);
    if (outcome.taken === 0) {
      // Sold out: take back the rental this statement wrote.
      await manager.query(`DELETE FROM car_rentals WHERE booking_id = $1`, [bookingId]);
      throw soldOut(carClass);
    }
    return { carClass, days, price: outcome.price };
  }

  /**
   * Idempotent, and accepts the undo of a rental that never arrived: it leaves a CANCELLED
   * tombstone, so that rental, if it comes later, is refused.
   */
  async cancel(manager: EntityManager, bookingId: string): Promise<void> {
    await RENTALS.undo(manager, bookingId);
  }

  private async existing(manager: EntityManager, bookingId: string): Promise<CarReserved> {
    const rental = await manager.findOneByOrFail(CarRental, { bookingId });
    if (RENTALS.isUndone(rental.status) || rental.carClass === null) {
      throw new TripRefusedError(
        TripErrorCode.ALREADY_CANCELLED,
        `Booking ${bookingId} was cancelled before its car could be rented`,
      );
    }
    const { carClass, days, price } = rental;
    return { carClass, days, price };
  }
}

function soldOut(carClass: string): TripRefusedError {
  return new TripRefusedError(TripErrorCode.SOLD_OUT, `No ${carClass} car left`);
}
