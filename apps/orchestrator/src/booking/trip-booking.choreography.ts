import { ChoreographyDefinition, defineChoreography } from '@app/saga-core';
import { TripBooking, TripEvents } from '@app/trip-api';

export const TRIP_BOOKING_CHOREOGRAPHY = 'trip-booking-choreography';

/**
 * The same trip booking on events alone: the orchestrator publishes `trip.booking.requested`
 * and then only follows the participants' events (see `TripEvents` for who reacts to what).
 * If a step's outcome does not come within its timeout, the orchestrator publishes
 * `trip.booking.cancellation-requested`; payment, then hotel, then flight undo their work.
 *
 * | step    | succeeded on     | failed on                  | undone on / undo failed on              |
 * | ------- | ---------------- | -------------------------- | --------------------------------------- |
 * | flight  | flight.reserved  | flight.reservation-failed  | flight.cancelled / cancellation-failed  |
 * | hotel   | hotel.reserved   | hotel.reservation-failed   | hotel.cancelled / cancellation-failed   |
 * | payment | payment.charged  | payment.failed             | payment.refunded / refund-failed        |
 */
export function tripBookingChoreography(
  stepTimeoutMs = 5_000,
): ChoreographyDefinition<TripBooking> {
  const fold = (trip: TripBooking, event: TripBooking): TripBooking => ({
    ...trip,
    flightPrice: event.flightPrice ?? trip.flightPrice,
    hotelPrice: event.hotelPrice ?? trip.hotelPrice,
  });
  return defineChoreography<TripBooking>(TRIP_BOOKING_CHOREOGRAPHY, 1)
    .withDefaultTimeout(stepTimeoutMs)
    .startsWith(TripEvents.bookingRequested, (trip) => trip)
    .cancelledWith(TripEvents.cancellationRequested, (trip, reason) => ({ ...trip, reason }))
    .step('flight')
    .succeededOn(TripEvents.flightReserved, fold)
    .failedOn(TripEvents.flightReservationFailed)
    .compensatedOn(TripEvents.flightCancelled)
    .compensationFailedOn(TripEvents.flightCancellationFailed)
    .step('hotel')
    .succeededOn(TripEvents.hotelReserved, fold)
    .failedOn(TripEvents.hotelReservationFailed)
    .compensatedOn(TripEvents.hotelCancelled)
    .compensationFailedOn(TripEvents.hotelCancellationFailed)
    .step('payment')
    .succeededOn(TripEvents.paymentCharged, fold)
    .failedOn(TripEvents.paymentFailed)
    .compensatedOn(TripEvents.paymentRefunded)
    .compensationFailedOn(TripEvents.paymentRefundFailed)
    .build();
}
