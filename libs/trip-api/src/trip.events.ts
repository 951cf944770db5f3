import { eventEndpoint } from '@app/saga-core';
import { TripBooking } from './trip-booking';

/** The topic exchange of the choreographed trip booking; routing key = event type. */
export const TRIP_EVENTS_EXCHANGE = 'trip.events';

const tripEvent = (type: string) => eventEndpoint<TripBooking>(TRIP_EVENTS_EXCHANGE, type);

/**
 * The choreographed flow. Forward: requested → flight → hotel → payment. A failure goes
 * back up the chain, each service undoing its own work and saying so; a booking that stalls
 * is cancelled by the orchestrator's deadline watcher, and the undo runs from payment back.
 *
 * | event                           | published by   | reacted to by          |
 * | ------------------------------- | -------------- | ---------------------- |
 * | trip.booking.requested          | orchestrator   | flight                 |
 * | trip.flight.reserved            | flight         | hotel                  |
 * | trip.hotel.reserved             | hotel          | payment                |
 * | trip.payment.charged            | payment        | (booking confirmed)    |
 * | trip.flight.reservation-failed  | flight         | (booking cancelled)    |
 * | trip.hotel.reservation-failed   | hotel          | flight (cancel)        |
 * | trip.payment.failed             | payment        | hotel (cancel)         |
 * | trip.booking.cancellation-requested | orchestrator (deadline) | payment (refund) |
 * | trip.payment.refunded / refund-failed | payment  | hotel (cancel)         |
 * | trip.hotel.cancelled / cancellation-failed | hotel | flight (cancel)      |
 * | trip.flight.cancelled / cancellation-failed | flight | (booking ends)     |
 */
export const TripEvents = {
  bookingRequested: tripEvent('trip.booking.requested'),
  cancellationRequested: tripEvent('trip.booking.cancellation-requested'),
  flightReserved: tripEvent('trip.flight.reserved'),
  flightReservationFailed: tripEvent('trip.flight.reservation-failed'),
  flightCancelled: tripEvent('trip.flight.cancelled'),
  flightCancellationFailed: tripEvent('trip.flight.cancellation-failed'),
  hotelReserved: tripEvent('trip.hotel.reserved'),
  hotelReservationFailed: tripEvent('trip.hotel.reservation-failed'),
  hotelCancelled: tripEvent('trip.hotel.cancelled'),
  hotelCancellationFailed: tripEvent('trip.hotel.cancellation-failed'),
  paymentCharged: tripEvent('trip.payment.charged'),
  paymentFailed: tripEvent('trip.payment.failed'),
  paymentRefunded: tripEvent('trip.payment.refunded'),
  paymentRefundFailed: tripEvent('trip.payment.refund-failed'),
} as const;
