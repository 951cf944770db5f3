import { Injectable } from '@nestjs/common';
import { EventContext, EventHandler, EventMessage, RetryThenGiveUp } from '@app/saga-core';
import {
  reactCompensation,
  reactForward,
  tripBookingOf,
  TripEvents,
  withPrice,
} from '@app/trip-api';
import { HotelReservationService } from './hotel-reservation.service';

/**
 * The choreographed trip as this service sees it: it reserves the hotel once the flight is
 * reserved, and cancels it when the payment failed or was undone, or when the orchestrator
 * asks for the cancellation itself (the undo chain stalled on it).
 */
@Injectable()
export class HotelEventHandler {
  constructor(private readonly reservations: HotelReservationService) {}

  @EventHandler(TripEvents.flightReserved)
  reserve(event: EventMessage, ctx: EventContext): Promise<void> {
    const trip = tripBookingOf(event);
    const { hotelId, nights, rooms } = trip.hotel;
    const request = { bookingId: trip.bookingId, hotelId, nights, rooms };
    return reactForward('hotel', ctx, trip, () => this.reservations.reserve(ctx.manager, request), {
      succeeded: TripEvents.hotelReserved,
      failed: TripEvents.hotelReservationFailed,
      enrich: (booking, reserved) => withPrice(booking, 'hotel', reserved.price),
    });
  }

  @EventHandler(
    TripEvents.paymentFailed,
    TripEvents.paymentRefunded,
    TripEvents.paymentRefundFailed,
    TripEvents.hotelCancellationRequested,
  )
  @RetryThenGiveUp()
  cancel(event: EventMessage, ctx: EventContext): Promise<void> {
    const trip = tripBookingOf(event);
    return reactCompensation(
      'hotel',
      ctx,
      trip,
      () => this.reservations.cancel(ctx.manager, trip.bookingId),
      { done: TripEvents.hotelCancelled, failed: TripEvents.hotelCancellationFailed },
    );
  }
}
