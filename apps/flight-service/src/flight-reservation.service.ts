import { Injectable } from '@nestjs/common';
import { TripErrorCode, TripRefusedError } from '@app/trip-api';
import { EntityManager } from 'typeorm';
import { Flight } from './flight.entity';
import { flightPrice } from './flight-pricing';
import { FlightReservation, FlightReservationStatus } from './flight-reservation.entity';

export interface FlightReservationRequest {
  bookingId: string;
  flightId: string;
  seats: number;
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
 * updates, so neither a redelivery nor a concurrent cancel can double-count a seat.
 */
@Injectable()
export class FlightReservationService {
  /** Idempotent: a booking already reserved gets its reservation back, nothing is taken twice. */
  reserve(
    manager: EntityManager,
    request: FlightReservationRequest,
  ): Promise<FlightReservationResult> {
    // Its own savepoint, so a refusal never leaves the reservation row without its seats.
    return manager.transaction(async (tx) => {
      const { bookingId, flightId, seats } = request;
      const flight = await tx.findOneBy(Flight, { flightId });
      if (!flight)
        throw new TripRefusedError(TripErrorCode.UNKNOWN_FLIGHT, `No flight ${flightId}`);
      if (seats > flight.seatsTotal) throw soldOut(flightId, seats);
      const price = flightPrice(flight.price, seats);
      const inserted: unknown[] = (
        await tx
          .createQueryBuilder()
          .insert()
          .into(FlightReservation)
          .values({ bookingId, flightId, seats, price, status: FlightReservationStatus.RESERVED })
          .orIgnore()
          .returning('booking_id')
          .execute()
      ).raw;
      if (inserted.length === 0) return this.existing(tx, bookingId);
      const taken = await tx
        .createQueryBuilder()
        .update(Flight)
        .set({ seatsAvailable: () => 'seats_available - :seats' })
        .where('flight_id = :flightId AND seats_available >= :seats', { flightId, seats })
        .execute();
      if (taken.affected !== 1) throw soldOut(flightId, seats);
      return { flightId, seats, price };
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
          .into(FlightReservation)
          .values({
            bookingId,
            flightId: null,
            seats: 0,
            price: 0,
            status: FlightReservationStatus.CANCELLED,
          })
          .orIgnore()
          .returning('booking_id')
          .execute()
      ).raw;
      if (tombstone.length === 1) return;
      // A reservation exists (committed: the insert waited for it). Release it once only.
      const released: { flight_id: string; seats: number }[] = (
        await tx
          .createQueryBuilder()
          .update(FlightReservation)
          .set({ status: FlightReservationStatus.CANCELLED })
          .where('booking_id = :bookingId AND status = :reserved', {
            bookingId,
            reserved: FlightReservationStatus.RESERVED,
          })
          .returning('flight_id, seats')
          .execute()
      ).raw;
      for (const row of released) {
        await tx
          .createQueryBuilder()
          .update(Flight)
          .set({ seatsAvailable: () => 'seats_available + :seats' })
          .where('flight_id = :flightId', { flightId: row.flight_id, seats: row.seats })
          .execute();
      }
    });
  }

  private async existing(tx: EntityManager, bookingId: string): Promise<FlightReservationResult> {
    const reservation = await tx.findOneByOrFail(FlightReservation, { bookingId });
    if (reservation.status !== FlightReservationStatus.RESERVED || reservation.flightId === null) {
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
