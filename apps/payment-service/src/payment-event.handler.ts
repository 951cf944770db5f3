import { Injectable } from '@nestjs/common';
import {
  EventContext,
  EventHandler,
  EventMessage,
  PoisonMessageError,
  RetryThenGiveUp,
} from '@app/saga-core';
import {
  pricesOf,
  reactCompensation,
  reactForward,
  tripAmount,
  tripBookingOf,
  TripEvents,
} from '@app/trip-api';
import { PaymentService } from './payment.service';

/**
 * The choreographed trip as this service sees it: it charges what the flight and the hotel
 * priced once both are reserved, and refunds when the booking is cancelled (its deadline
 * passed), which starts the undo from the end of the chain, or when the orchestrator asks for
 * the refund itself (the undo chain stalled on it).
 */
@Injectable()
export class PaymentEventHandler {
  constructor(private readonly payments: PaymentService) {}

  @EventHandler(TripEvents.hotelReserved)
  charge(event: EventMessage, ctx: EventContext): Promise<void> {
    const trip = tripBookingOf(event);
    const { flight: flightPrice, hotel: hotelPrice } = pricesOf(trip);
    if (flightPrice === undefined || hotelPrice === undefined) {
      throw new PoisonMessageError(`${event.type} ${event.messageId} carries no prices`);
    }
    const request = {
      bookingId: trip.bookingId,
      customerId: trip.customerId,
      amount: tripAmount(trip),
    };
    return reactForward('payment', ctx, trip, () => this.payments.charge(ctx.manager, request), {
      succeeded: TripEvents.paymentCharged,
      failed: TripEvents.paymentFailed,
      enrich: (booking) => booking,
    });
  }

  @EventHandler(TripEvents.cancellationRequested, TripEvents.paymentRefundRequested)
  @RetryThenGiveUp()
  refund(event: EventMessage, ctx: EventContext): Promise<void> {
    const trip = tripBookingOf(event);
    return reactCompensation(
      'payment',
      ctx,
      trip,
      () => this.payments.refund(ctx.manager, trip.bookingId),
      { done: TripEvents.paymentRefunded, failed: TripEvents.paymentRefundFailed },
    );
  }
}
