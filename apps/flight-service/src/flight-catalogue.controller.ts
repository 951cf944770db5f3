import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { FlightCatalogueService } from './flight-catalogue.service';
import { FlightReservationStatus } from './flight-reservation.entity';
import { SafeTextPipe } from '@app/saga-core';

/** A booking id with what text may not hold is a 400, not a failed query. */
const BOOKING_ID = new SafeTextPipe({ name: 'bookingId' });

export interface FlightView {
  flightId: string;
  seatsTotal: number;
  seatsAvailable: number;
  price: number;
}

export interface FlightReservationView {
  bookingId: string;
  /** Null for a cancellation that arrived before any reservation. */
  flightId: string | null;
  seats: number;
  price: number;
  status: FlightReservationStatus;
}

@Controller()
export class FlightCatalogueController {
  constructor(private readonly catalogue: FlightCatalogueService) {}

  @Get('flights')
  async flights(): Promise<FlightView[]> {
    const flights = await this.catalogue.flights();
    return flights.map(({ flightId, seatsTotal, seatsAvailable, price }) => ({
      flightId,
      seatsTotal,
      seatsAvailable,
      price,
    }));
  }

  @Get('reservations/:bookingId')
  async reservation(
    @Param('bookingId', BOOKING_ID) bookingId: string,
  ): Promise<FlightReservationView> {
    const reservation = await this.catalogue.reservation(bookingId);
    if (!reservation) throw new NotFoundException(`No flight reservation for booking ${bookingId}`);
    const { flightId, seats, price, status } = reservation;
    return { bookingId, flightId, seats, price, status };
  }
}
