import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UNREADABLE_REQUEST } from '@app/saga-core';
import { FlightViewDto } from './dto/flight-view.dto';
import { FlightReservationViewDto } from './dto/flight-reservation-view.dto';
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
  flightId: string;
  seats: number;
  price: number;
  status: FlightReservationStatus;
}

@ApiTags('flights')
@Controller()
export class FlightCatalogueController {
  constructor(private readonly catalogue: FlightCatalogueService) {}

  @Get('flights')
  @ApiOperation({
    operationId: 'listFlights',
    summary: 'The flight catalogue',
    description: 'Every flight with its seats and the price of a seat',
  })
  @ApiOkResponse({ description: 'The flights', type: [FlightViewDto] })
  @ApiErrors(UNREADABLE_REQUEST)
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
  @ApiOperation({
    operationId: 'getFlightReservation',
    summary: "A booking's flight reservation",
    description:
      'Its seats and status; 404 when none was made, including when a cancellation came first',
  })
  @ApiOkResponse({ description: 'The reservation', type: FlightReservationViewDto })
  @ApiErrors({ ...UNREADABLE_REQUEST, 404: 'No flight reservation for this booking' })
  async reservation(
    @Param('bookingId', BOOKING_ID) bookingId: string,
  ): Promise<FlightReservationView> {
    const reservation = await this.catalogue.reservation(bookingId);
    // A tombstone (a cancel that came before any reservation) is bookkeeping, not a reservation.
    if (!reservation?.flightId) {
      throw new NotFoundException(`No flight reservation for booking ${bookingId}`);
    }
    const { flightId, seats, price, status } = reservation;
    return { bookingId, flightId, seats, price, status };
  }
}
