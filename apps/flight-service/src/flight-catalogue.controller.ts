import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { FlightCatalogueService } from './flight-catalogue.service';
import { FlightReservationStatus } from './flight-reservation.entity';

export interface FlightView {
  flightId: string;
  seatsTotal: number;
  seatsAvailable: number;
  price: number;
}

export interface FlightReservationView {
  bookingId: string;
  flightId: string;
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
  async reservation(@Param('bookingId') bookingId: string): Promise<FlightReservationView> {
    const reservation = await this.catalogue.reservation(bookingId);
    // A tombstone (a cancel that came before any reservation) is bookkeeping, not a reservation.
    if (!reservation?.flightId) {
      throw new NotFoundException(`No flight reservation for booking ${bookingId}`);
    }
    const { flightId, seats, price, status } = reservation;
    return { bookingId, flightId, seats, price, status };
  }
}
