import { Injectable } from '@nestjs/common';
import { EventContext, EventHandler, EventMessage, RetryThenGiveUp } from '@app/saga-core';
import {
  reactCompensation,
  reactForward,
  tripBookingOf,
  TripEvents,
  withPrice,
} from '@app/trip-api';
import { FlightReservationService } from './flight-reservation.service';

/**
 * The choreographed trip as this service sees it: it reserves the flight when a booking is
 * requested, and cancels it when anything after it failed or was undone, or when the
 * orchestrator asks for the cancellation itself (the undo chain stalled on it).
 */
@Injectable()
export class FlightEventHandler {
  constructor(private readonly reservations: FlightReservationService) {}

  @EventHandler(TripEvents.bookingRequested)
  reserve(event: EventMessage, ctx: EventContext): Promise<void> {
    const trip = tripBookingOf(event);
    const { flightId, seats } = trip.flight;
    const request = { bookingId: trip.bookingId, flightId, seats };
    return reactForward(
      'flight',
      ctx,
      trip,
      () => this.reservations.reserve(ctx.manager, request),
      {
        succeeded: TripEvents.flightReserved,
        failed: TripEvents.flightReservationFailed,
        enrich: (booking, reserved) => withPrice(booking, 'flight', reserved.price),
      },
    );
  }

  @EventHandler(
    TripEvents.hotelReservationFailed,
    TripEvents.hotelCancelled,
    TripEvents.hotelCancellationFailed,
    TripEvents.flightCancellationRequested,
  )
  @RetryThenGiveUp()
  cancel(event: EventMessage, ctx: EventContext): Promise<void> {
    const trip = tripBookingOf(event);
    return reactCompensation(
      'flight',
      ctx,
      trip,
      () => this.reservations.cancel(ctx.manager, trip.bookingId),
      { done: TripEvents.flightCancelled, failed: TripEvents.flightCancellationFailed },
    );
  }
}
