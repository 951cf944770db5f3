import { eventEndpoint, StepEvents } from '@app/saga-core';
import { TripBooking } from './trip-booking';
import { TripParticipant } from './trip-participants';

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
 * | trip.flight.cancellation-requested  | orchestrator (undo stalled) | flight (cancel) |
 * | trip.hotel.cancellation-requested   | orchestrator (undo stalled) | hotel (cancel)  |
 * | trip.payment.refund-requested       | orchestrator (undo stalled) | payment (refund) |
 *
 * The last three ask one participant for its undo when the undo chain stalls on it (an event
 * lost, dead-lettered or never published) or when an operator retries a failed undo; it
 * answers with its own cancelled / cancellation-failed (refunded / refund-failed) event, which
 * sets off the step before it as usual.
 */
export const TripEvents = {
  bookingRequested: tripEvent('trip.booking.requested'),
  cancellationRequested: tripEvent('trip.booking.cancellation-requested'),
  flightReserved: tripEvent('trip.flight.reserved'),
  flightReservationFailed: tripEvent('trip.flight.reservation-failed'),
  flightCancelled: tripEvent('trip.flight.cancelled'),
  flightCancellationFailed: tripEvent('trip.flight.cancellation-failed'),
  flightCancellationRequested: tripEvent('trip.flight.cancellation-requested'),
  hotelReserved: tripEvent('trip.hotel.reserved'),
  hotelReservationFailed: tripEvent('trip.hotel.reservation-failed'),
  hotelCancelled: tripEvent('trip.hotel.cancelled'),
  hotelCancellationFailed: tripEvent('trip.hotel.cancellation-failed'),
  hotelCancellationRequested: tripEvent('trip.hotel.cancellation-requested'),
  paymentCharged: tripEvent('trip.payment.charged'),
  paymentFailed: tripEvent('trip.payment.failed'),
  paymentRefunded: tripEvent('trip.payment.refunded'),
  paymentRefundFailed: tripEvent('trip.payment.refund-failed'),
  paymentRefundRequested: tripEvent('trip.payment.refund-requested'),
} as const;

/**
 * Each step's events, by step: the choreographed trip is derived from the trip booking saga's
 * steps and these (see `choreographyTopology` for who then reacts to which). The names are
 * kept as they were written by hand, since stored definitions and in-flight events carry them.
 */
export const TRIP_STEP_EVENTS: Readonly<Record<TripParticipant, StepEvents<TripBooking>>> = {
  flight: {
    succeeded: TripEvents.flightReserved,
    failed: TripEvents.flightReservationFailed,
    compensated: TripEvents.flightCancelled,
    compensationFailed: TripEvents.flightCancellationFailed,
    compensationRequested: TripEvents.flightCancellationRequested,
  },
  hotel: {
    succeeded: TripEvents.hotelReserved,
    failed: TripEvents.hotelReservationFailed,
    compensated: TripEvents.hotelCancelled,
    compensationFailed: TripEvents.hotelCancellationFailed,
    compensationRequested: TripEvents.hotelCancellationRequested,
  },
  payment: {
    succeeded: TripEvents.paymentCharged,
    failed: TripEvents.paymentFailed,
    compensated: TripEvents.paymentRefunded,
    compensationFailed: TripEvents.paymentRefundFailed,
    compensationRequested: TripEvents.paymentRefundRequested,
  },
};
