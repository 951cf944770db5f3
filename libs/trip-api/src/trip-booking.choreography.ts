import { ChoreographyDefinition, defineChoreography } from '@app/saga-core';
import { TripBooking, withPricesOf } from './trip-booking';
import { TRIP_STEP_EVENTS, TripEvents } from './trip.events';
import { TRIP_BOOKING_SAGA_VERSION, tripBookingSaga } from './trip-booking.saga';
import { TripParticipant } from './trip-participants';

export const TRIP_BOOKING_CHOREOGRAPHY = 'trip-booking-choreography';

/**
 * The saga version whose steps a version of the choreography runs: version 1 (before the undo
 * request events) and 2 run the saga's first; version v + 1 runs the saga's v up to version
 * 4; version 5 runs the saga's 3 with its parallel group in parallel (`PARALLEL_SINCE`).
 */
export const tripSagaVersionOf = (choreographyVersion: number): number =>
  Math.min(TRIP_BOOKING_SAGA_VERSION, Math.max(1, choreographyVersion - 1));

/** From this version on, flight, hotel and car start together on events too. */
export const PARALLEL_SINCE = 5;

/** The version new bookings start on: the saga's latest steps, its groups in parallel. */
export const TRIP_BOOKING_CHOREOGRAPHY_VERSION = PARALLEL_SINCE;

/**
 * The trip booking saga's steps on events alone, derived from `tripBookingSaga` and each
 * step's events (`TRIP_STEP_EVENTS`): the orchestrator publishes `trip.booking.requested`
 * and then only follows the participants' events (see `TripEvents` for who reacts to what).
 * Since version 5, flight, hotel and car (for a booking with a car) all work on
 * `trip.booking.requested`, and the payment service charges once each of them has reported
 * its price (a join in its database, `InboxTransaction.join`). When one of the three is refused, the
 * others undo their work, or refuse it if it comes later.
 * If a step's outcome does not come within its timeout, the orchestrator publishes
 * `trip.booking.cancellation-requested`; payment, then hotel, then flight undo their work
 * (since version 5: payment, then flight, hotel and car at once).
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
 * started on it finish: its stored spec lacks those events, but it runs the same flow. Each
 * later version runs a later version of the saga's steps (`tripSagaVersionOf`). The
 * participants follow the latest version's topology; a booking started on version 4 whose
 * hotel had not yet worked when they moved to version 5 ends cancelled at its step timeout.
 */
export function tripBookingChoreography(
  stepTimeoutMs = 5_000,
  version = TRIP_BOOKING_CHOREOGRAPHY_VERSION,
): ChoreographyDefinition<TripBooking> {
  const fold = (trip: TripBooking, payload: unknown): TripBooking =>
    withPricesOf(trip, payload as Partial<TripBooking>);
  const saga = tripBookingSaga(stepTimeoutMs, tripSagaVersionOf(version));
  const steps = Object.fromEntries(
    saga.spec.steps.map(({ name }) => [
      name,
      { ...TRIP_STEP_EVENTS[name as TripParticipant], fold },
    ]),
  );
  return defineChoreography<TripBooking>(TRIP_BOOKING_CHOREOGRAPHY, version)
    .withDefaultTimeout(stepTimeoutMs)
    .startsWith(TripEvents.bookingRequested, (trip) => trip)
    .cancelledWith(TripEvents.cancellationRequested, (trip, reason) => ({ ...trip, reason }))
    .stepsOf(saga, steps, { parallel: version >= PARALLEL_SINCE })
    .build();
}

/** Every version of the choreography, oldest first. */
export function tripBookingChoreographies(
  stepTimeoutMs = 5_000,
): ChoreographyDefinition<TripBooking>[] {
  return Array.from({ length: TRIP_BOOKING_CHOREOGRAPHY_VERSION }, (_, i) =>
    tripBookingChoreography(stepTimeoutMs, i + 1),
  );
}
