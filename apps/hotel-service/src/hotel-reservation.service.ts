import { Injectable } from '@nestjs/common';
import { TripErrorCode, TripRefusedError } from '@app/trip-api';
import { EntityManager } from 'typeorm';
import { Hotel } from './hotel.entity';
import { hotelPrice } from './hotel-pricing';
import { HotelReservation, HotelReservationStatus } from './hotel-reservation.entity';

export interface HotelReservationRequest {
  bookingId: string;
  hotelId: string;
  rooms: number;
  nights: number;
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
 * updates, so neither a redelivery nor a concurrent cancel can double-count a room.
 */
@Injectable()
export class HotelReservationService {
  /** Idempotent: a booking already reserved gets its reservation back, nothing is taken twice. */
  reserve(
    manager: EntityManager,
    request: HotelReservationRequest,
  ): Promise<HotelReservationResult> {
    // Its own savepoint, so a refusal never leaves the reservation row without its rooms.
    return manager.transaction(async (tx) => {
      const { bookingId, hotelId, rooms, nights } = request;
      const hotel = await tx.findOneBy(Hotel, { hotelId });
      if (!hotel) throw new TripRefusedError(TripErrorCode.UNKNOWN_HOTEL, `No hotel ${hotelId}`);
      if (rooms > hotel.roomsTotal) throw soldOut(hotelId, rooms);
      const price = hotelPrice(hotel.pricePerNight, rooms, nights);
      const inserted: unknown[] = (
        await tx
          .createQueryBuilder()
          .insert()
          .into(HotelReservation)
          .values({
            bookingId,
            hotelId,
            rooms,
            nights,
            price,
            status: HotelReservationStatus.RESERVED,
          })
          .orIgnore()
          .returning('booking_id')
          .execute()
      ).raw;
      if (inserted.length === 0) return this.existing(tx, bookingId);
      const taken = await tx
        .createQueryBuilder()
        .update(Hotel)
        .set({ roomsAvailable: () => 'rooms_available - :rooms' })
        .where('hotel_id = :hotelId AND rooms_available >= :rooms', { hotelId, rooms })
        .execute();
      if (taken.affected !== 1) throw soldOut(hotelId, rooms);
      return { hotelId, rooms, nights, price };
    });
  }

  /**
   * Idempotent, and accepts the undo of a reservation that never arrived: it leaves a
   * CANCELLED tombstone, so that reservation, if it comes later, is refused.
   */
  cancel(manager: EntityManager, bookingId: string): Promise<void> {
    return manager.transaction(async (tx) => {
      const tombstone: unknown[] = (
        await tx
          .createQueryBuilder()
          .insert()
          .into(HotelReservation)
          .values({
            bookingId,
            hotelId: null,
            rooms: 0,
            nights: 0,
            price: 0,
            status: HotelReservationStatus.CANCELLED,
          })
          .orIgnore()
          .returning('booking_id')
          .execute()
      ).raw;
      if (tombstone.length === 1) return;
      // A reservation exists (committed: the insert waited for it). Release it once only.
      const released: { hotel_id: string; rooms: number }[] = (
        await tx
          .createQueryBuilder()
          .update(HotelReservation)
          .set({ status: HotelReservationStatus.CANCELLED })
          .where('booking_id = :bookingId AND status = :reserved', {
            bookingId,
            reserved: HotelReservationStatus.RESERVED,
          })
          .returning('hotel_id, rooms')
          .execute()
      ).raw;
      for (const row of released) {
        await tx
          .createQueryBuilder()
          .update(Hotel)
          .set({ roomsAvailable: () => 'rooms_available + :rooms' })
          .where('hotel_id = :hotelId', { hotelId: row.hotel_id, rooms: row.rooms })
          .execute();
      }
    });
  }

  private async existing(tx: EntityManager, bookingId: string): Promise<HotelReservationResult> {
    const reservation = await tx.findOneByOrFail(HotelReservation, { bookingId });
    if (reservation.status !== HotelReservationStatus.RESERVED || reservation.hotelId === null) {
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
