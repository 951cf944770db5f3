import { Injectable } from '@nestjs/common';
import { UndoMarker, preparedQuery } from '@app/saga-core';
import { TripErrorCode, TripRefusedError } from '@app/trip-api';
import { EntityManager } from 'typeorm';
import { HotelReservation, HotelReservationStatus } from './hotel-reservation.entity';

export interface HotelReservationRequest {
  bookingId: string;
  hotelId: string;
  rooms: number;
  nights: number;
}

/** What the reserve statement found: null columns for an unknown hotel or an existing row. */
interface ReserveOutcome {
  roomsTotal: number | null;
  price: number | null;
  taken: number;
}

export interface HotelReservationResult {
  hotelId: string;
  rooms: number;
  nights: number;
  price: number;
}

/**
 * Reserves and releases rooms, once per booking, in the caller's transaction. Knows nothing of
 * messaging: the saga's command handler and a choreographed event handler can share it.
 *
 * Race safety: the reservation row's primary key serialises everything about one booking
 * (an insert waits for a concurrent one to commit), and stock only moves through conditional
 * updates, so neither a redelivery nor a concurrent cancel can double-count a room. Each
 * method leaves the transaction as it found it when it refuses, so a caller may go on and
 * commit a refusal (as the choreographed handler does); no savepoint is needed for that.
 */
/** A booking's rooms: a tombstone for an undo that comes first, else released once. */
const ROOMS = new UndoMarker({
  table: 'hotel_reservations',
  key: 'booking_id',
  held: HotelReservationStatus.RESERVED,
  undone: HotelReservationStatus.CANCELLED,
  tombstone: { hotel_id: null, rooms: 0, nights: 0, price: 0 },
  touched: 'updated_at',
  stock: {
    table: 'hotels',
    key: 'hotel_id',
    column: 'rooms_available',
    owner: 'hotel_id',
    amount: 'rooms',
  },
});

@Injectable()
export class HotelReservationService {
  /**
   * Idempotent: a booking already reserved gets its reservation back, nothing is taken twice.
   * One round trip on the way that matters: the hotel, the reservation priced from it (every
   * room, every night, at the nightly price) and its rooms, in one statement.
   */
  async reserve(
    manager: EntityManager,
    request: HotelReservationRequest,
  ): Promise<HotelReservationResult> {
    const { bookingId, hotelId, rooms, nights } = request;
    // The rooms are taken only if this statement inserted the reservation: a redelivery finds
    // the row, waits for it if it is not committed yet, and takes nothing.
    const [outcome] = await preparedQuery<ReserveOutcome>(
      manager,
      {
        name: 'hotel-reserve-v1',
        text: `WITH h AS (SELECT rooms_total, price_per_night FROM hotels WHERE hotel_id = $2),
       r AS (
         INSERT INTO hotel_reservations (booking_id, hotel_id, rooms, nights, price, status)
         SELECT $1, $2, $3, $4, h.price_per_night * $3 * $4, '${HotelReservationStatus.RESERVED}'
           FROM h WHERE $3 <= h.rooms_total
         ON CONFLICT (booking_id) DO NOTHING
         RETURNING price),
       t AS (
         UPDATE hotels SET rooms_available = rooms_available - $3
          WHERE hotel_id = $2 AND rooms_available >= $3 AND EXISTS (SELECT 1 FROM r)
         RETURNING 1)
       SELECT (SELECT rooms_total FROM h) AS "roomsTotal",
              -- bigint would come back as a string; a stay's price is far below 2^53.
              (SELECT price FROM r)::float8 AS price,
              (SELECT count(*) FROM t)::int AS taken`,
      },
      [bookingId, hotelId, rooms, nights],
    );
    if (outcome.roomsTotal === null) {
      throw new TripRefusedError(TripErrorCode.UNKNOWN_HOTEL, `No hotel ${hotelId}`);
    }
    if (rooms > outcome.roomsTotal) throw soldOut(hotelId, rooms);
    if (outcome.price === null) return this.existing(manager, bookingId);
    if (outcome.taken === 0) {
      // Sold out: take back the reservation this statement wrote.
      await manager.query(`DELETE FROM hotel_reservations WHERE booking_id = $1`, [bookingId]);
      throw soldOut(hotelId, rooms);
    }
    return { hotelId, rooms, nights, price: outcome.price };
  }

  /**
   * Idempotent, and accepts the undo of a reservation that never arrived: it leaves a
   * CANCELLED tombstone, so that reservation, if it comes later, is refused.
   */
  async cancel(manager: EntityManager, bookingId: string): Promise<void> {
    await ROOMS.undo(manager, bookingId);
  }

  private async existing(
    manager: EntityManager,
    bookingId: string,
  ): Promise<HotelReservationResult> {
    const reservation = await manager.findOneByOrFail(HotelReservation, { bookingId });
    if (ROOMS.isUndone(reservation.status) || reservation.hotelId === null) {
      throw new TripRefusedError(
        TripErrorCode.ALREADY_CANCELLED,
        `Booking ${bookingId} was cancelled before its hotel could be reserved`,
      );
    }
    const { hotelId, rooms, nights, price } = reservation;
    return { hotelId, rooms, nights, price };
  }
}

function soldOut(hotelId: string, rooms: number): TripRefusedError {
  return new TripRefusedError(
    TripErrorCode.SOLD_OUT,
    `Hotel ${hotelId} has fewer than ${rooms} rooms left`,
  );
}
