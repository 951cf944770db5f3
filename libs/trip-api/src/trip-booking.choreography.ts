import { ChoreographyDefinition, defineChoreography } from '@app/saga-core';
import { TripBooking, withPricesOf } from './trip-booking';
import { TRIP_STEP_EVENTS, TripEvents } from './trip.events';
import { tripBookingSaga } from './trip-booking.saga';

export const TRIP_BOOKING_CHOREOGRAPHY = 'trip-booking-choreography';

/** The version new bookings start on; see `tripBookingChoreography`. */
export const TRIP_BOOKING_CHOREOGRAPHY_VERSION = 2;

/**
 * The trip booking saga's steps on events alone, derived from `tripBookingSaga` and each
 * step's events (`TRIP_STEP_EVENTS`): the orchestrator publishes `trip.booking.requested`
 * and then only follows the participants' events (see `TripEvents` for who reacts to what).
 * If a step's outcome does not come within its timeout, the orchestrator publishes
 * `trip.booking.cancellation-requested`; payment, then hotel, then flight undo their work.
 * While the booking is compensating, each undo it waits for has the same timeout; when it
 * passes, the orchestrator asks that step for its undo with the step's undo request event,
 * 5 tries with backoff (`DEFAULT_COMPENSATION_RETRY`), then gives it up and asks the steps
 * before it.
 *
 * | step    | succeeded on     | failed on                  | undone on / undo failed on              | undo requested with             |
 * | ------- | ---------------- | -------------------------- | --------------------------------------- | ------------------------------- |
 * | flight  | flight.reserved  | flight.reservation-failed  | flight.cancelled / cancellation-failed  | flight.cancellation-requested   |
 * | hotel   | hotel.reserved   | hotel.reservation-failed   | hotel.cancelled / cancellation-failed   | hotel.cancellation-requested    |
 * | payment | payment.charged  | payment.failed             | payment.refunded / refund-failed        | payment.refund-requested        |
 *
 * Version 2 added the undo request events. Version 1 stays registered so that bookings
 * started on it finish: its stored spec lacks those events, but it runs the same flow.
 */
export function tripBookingChoreography(
  stepTimeoutMs = 5_000,
  version = TRIP_BOOKING_CHOREOGRAPHY_VERSION,
): ChoreographyDefinition<TripBooking> {
  const fold = (trip: TripBooking, payload: unknown): TripBooking =>
    withPricesOf(trip, payload as Partial<TripBooking>);
  const steps = Object.fromEntries(
    Object.entries(TRIP_STEP_EVENTS).map(([step, events]) => [step, { ...events, fold }]),
  );
  return defineChoreography<TripBooking>(TRIP_BOOKING_CHOREOGRAPHY, version)
    .withDefaultTimeout(stepTimeoutMs)
    .startsWith(TripEvents.bookingRequested, (trip) => trip)
    .cancelledWith(TripEvents.cancellationRequested, (trip, reason) => ({ ...trip, reason }))
    .stepsOf(tripBookingSaga(stepTimeoutMs), steps)
    .build();
}
