import { Injectable } from '@nestjs/common';
import { UndoMarker, preparedQuery } from '@app/saga-core';
import { TripErrorCode, TripRefusedError } from '@app/trip-api';
import { EntityManager } from 'typeorm';
import { FlightReservation, FlightReservationStatus } from './flight-reservation.entity';

export interface FlightReservationRequest {
  bookingId: string;
  flightId: string;
  seats: number;
}

/** What the reserve statement found: null columns for an unknown flight or an existing row. */
interface ReserveOutcome {
  seatsTotal: number | null;
  price: number | null;
  taken: number;
}

export interface FlightReservationResult {
  flightId: string;
  seats: number;
  price: number;
}

/**
 * Reserves and releases seats, once per booking, in the caller's transaction. Knows nothing of
 * messaging: the saga's command handler and a choreographed event handler can share it.
 *
 * Race safety: the reservation row's primary key serialises everything about one booking
 * (an insert waits for a concurrent one to commit), and stock only moves through conditional
 * updates, so neither a redelivery nor a concurrent cancel can double-count a seat. Each
 * method leaves the transaction as it found it when it refuses, so a caller may go on and
 * commit a refusal (as the choreographed handler does); no savepoint is needed for that.
 */
/** A booking's seats: a tombstone for an undo that comes first, else released once. */
const SEATS = new UndoMarker({
  table: 'flight_reservations',
  key: 'booking_id',
  held: FlightReservationStatus.RESERVED,
  undone: FlightReservationStatus.CANCELLED,
  tombstone: { flight_id: null, seats: 0, price: 0 },
  touched: 'updated_at',
  stock: {
    table: 'flights',
    key: 'flight_id',
    column: 'seats_available',
    owner: 'flight_id',
    amount: 'seats',
  },
});

@Injectable()
export class FlightReservationService {
  /**
   * Idempotent: a booking already reserved gets its reservation back, nothing is taken twice.
   * One round trip on the way that matters: the flight, the reservation priced from it (seats
   * × the flight's price a seat) and its seats, in one statement.
   */
  async reserve(
    manager: EntityManager,
    request: FlightReservationRequest,
  ): Promise<FlightReservationResult> {
    const { bookingId, flightId, seats } = request;
    // The seats are taken only if this statement inserted the reservation: a redelivery finds
    // the row, waits for it if it is not committed yet, and takes nothing.
    const [outcome] = await preparedQuery<ReserveOutcome>(
      manager,
      {
        name: 'flight-reserve-v1',
        text: `WITH f AS (SELECT seats_total, price FROM flights WHERE flight_id = $2),
       r AS (
         INSERT INTO flight_reservations (booking_id, flight_id, seats, price, status)
         SELECT $1, $2, $3, f.price * $3, '${FlightReservationStatus.RESERVED}'
           FROM f WHERE $3 <= f.seats_total
         ON CONFLICT (booking_id) DO NOTHING
         RETURNING price),
       t AS (
         UPDATE flights SET seats_available = seats_available - $3
          WHERE flight_id = $2 AND seats_available >= $3 AND EXISTS (SELECT 1 FROM r)
         RETURNING 1)
       SELECT (SELECT seats_total FROM f) AS "seatsTotal", (SELECT price FROM r) AS price,
              (SELECT count(*) FROM t)::int AS taken`,
      },
      [bookingId, flightId, seats],
    );
    if (outcome.seatsTotal === null) {
      throw new TripRefusedError(TripErrorCode.UNKNOWN_FLIGHT, `No flight ${flightId}`);
    }
    if (seats > outcome.seatsTotal) throw soldOut(flightId, seats);
    if (outcome.price === null) return this.existing(manager, bookingId);
    if (outcome.taken === 0) {
      // Sold out: take back the reservation this statement wrote.
      await manager.query(`DELETE FROM flight_reservations WHERE booking_id = $1`, [bookingId]);
      throw soldOut(flightId, seats);
    }
    return { flightId, seats, price: outcome.price };
  }

  /**
   * Idempotent, and accepts the undo of a reservation that never arrived: it leaves a
   * CANCELLED tombstone, so that reservation, if it comes later, is refused.
   */
  async cancel(manager: EntityManager, bookingId: string): Promise<void> {
    await SEATS.undo(manager, bookingId);
  }

  private async existing(
    manager: EntityManager,
    bookingId: string,
  ): Promise<FlightReservationResult> {
    const reservation = await manager.findOneByOrFail(FlightReservation, { bookingId });
    if (SEATS.isUndone(reservation.status) || reservation.flightId === null) {
      throw new TripRefusedError(
        TripErrorCode.ALREADY_CANCELLED,
        `Booking ${bookingId} was cancelled before its flight could be reserved`,
      );
    }
    return { flightId: reservation.flightId, seats: reservation.seats, price: reservation.price };
  }
}

function soldOut(flightId: string, seats: number): TripRefusedError {
  return new TripRefusedError(
    TripErrorCode.SOLD_OUT,
    `Flight ${flightId} has fewer than ${seats} seats left`,
  );
}
