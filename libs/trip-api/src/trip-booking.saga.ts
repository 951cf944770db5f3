import { defineSaga, RetryPolicy, SagaDefinition, SagaDefinitionBuilder } from '@app/saga-core';
import { CarEndpoints, CarReserved } from './car';
import { FlightEndpoints, FlightReserved } from './flight.endpoints';
import { HotelEndpoints, HotelReserved } from './hotel.endpoints';
import { PaymentEndpoints } from './payment.endpoints';
import { TripBooking, tripAmount, withPrice } from './trip-booking';

export const TRIP_BOOKING_SAGA = 'trip-booking';

/**
 * Forward retries, for a participant's transient failure only (a refusal is final, and so is
 * a timeout: its compensation is already on the way): 4 tries, 200 ms, 400 ms, 800 ms apart,
 * each drawn between half and all of that, so the retries of many bookings spread out.
 */
export const TRIP_STEP_RETRY: RetryPolicy = {
  maxAttempts: 4,
  initialDelayMs: 200,
  multiplier: 2,
  maxDelayMs: 2_000,
  jitter: true,
};

/**
 * The version new bookings start on. A change to the steps is a new version, as the stored
 * definition of a version never changes and a booking stays on the version it started on.
 */
export const TRIP_BOOKING_SAGA_VERSION = 3;

/**
 * The trip booking saga.
 *
 * | step    | command         | reply carries       | compensation  |
 * | ------- | --------------- | ------------------- | ------------- |
 * | flight  | flight.reserve  | seats × price       | flight.cancel |
 * | hotel   | hotel.reserve   | nights × rooms × pn | hotel.cancel  |
 * | car     | car.reserve     | days × price a day  | car.cancel (only for a booking with `car`; since v2) |
 * | payment | payment.charge  | amount charged      | payment.refund (only after a timeout) |
 *
 * Since v3, flight, hotel and car run in parallel (`inParallel`): their commands go out
 * together, and the payment once all three have priced. When one is refused, the booking
 * waits for the others' replies, then undoes what took effect: car, hotel, flight. The
 * choreography derived from it (`tripBookingChoreography`) runs them one after another.
 *
 * The payment amount is the sum of what the steps before it priced (`tripAmount`). Payment is compensatable rather
 * than a pivot because its reply may be lost: a charge whose answer never came is refunded.
 * Every step is retried on a transient failure (`TRIP_STEP_RETRY`); every compensation on any
 * failure, 5 tries with backoff, before the booking ends COMPENSATION_FAILED.
 *
 * A version's steps are those of `TRIP_BOOKING_STEPS` since it or before: a booking runs the
 * steps of the version it started on (`tripBookingSagas` builds them all).
 */
export function tripBookingSaga(
  stepTimeoutMs = 5_000,
  version = TRIP_BOOKING_SAGA_VERSION,
): SagaDefinition<TripBooking> {
  if (!Number.isInteger(version) || version < 1 || version > TRIP_BOOKING_SAGA_VERSION) {
    throw new RangeError(`${TRIP_BOOKING_SAGA} has versions 1 to ${TRIP_BOOKING_SAGA_VERSION}`);
  }
  const saga = defineSaga<TripBooking>(TRIP_BOOKING_SAGA, version).withDefaults({
    timeoutMs: stepTimeoutMs,
    retry: TRIP_STEP_RETRY,
  });
  for (const step of TRIP_BOOKING_STEPS) if (step.since <= version) step.add(saga, version);
  return saga.build();
}

/** Every version of the saga, oldest first: bookings stay on the version they started on. */
export function tripBookingSagas(stepTimeoutMs = 5_000): SagaDefinition<TripBooking>[] {
  return Array.from({ length: TRIP_BOOKING_SAGA_VERSION }, (_, i) =>
    tripBookingSaga(stepTimeoutMs, i + 1),
  );
}

type TripSagaBuilder = SagaDefinitionBuilder<TripBooking>;

type TripStepBuilder = ReturnType<TripSagaBuilder['step']>;

/** From version 3, hotel and car start together with the flight. */
const alongsideSince3 = (step: TripStepBuilder, version: number) =>
  version >= 3 ? step.inParallel() : step;

/** The saga's steps, in order, each with the first version it is in (see the table above). */
const TRIP_BOOKING_STEPS: readonly {
  since: number;
  add: (saga: TripSagaBuilder, version: number) => void;
}[] = [
  {
    since: 1,
    add: (saga) =>
      saga
        .step('flight')
        .invokeParticipant(FlightEndpoints.reserve, (trip) => ({
          bookingId: trip.bookingId,
          flightId: trip.flight.flightId,
          seats: trip.flight.seats,
        }))
        .onReply((trip, reply: FlightReserved) => withPrice(trip, 'flight', reply.price))
        .withCompensation(FlightEndpoints.cancel, (trip) => ({ bookingId: trip.bookingId })),
  },
  {
    since: 1,
    add: (saga, version) =>
      alongsideSince3(saga.step('hotel'), version)
        .invokeParticipant(HotelEndpoints.reserve, (trip) => ({
          bookingId: trip.bookingId,
          hotelId: trip.hotel.hotelId,
          nights: trip.hotel.nights,
          rooms: trip.hotel.rooms,
        }))
        .onReply((trip, reply: HotelReserved) => withPrice(trip, 'hotel', reply.price))
        .withCompensation(HotelEndpoints.cancel, (trip) => ({ bookingId: trip.bookingId })),
  },
  {
    since: 2,
    add: (saga, version) =>
      alongsideSince3(saga.step('car'), version)
        .invokeParticipant(CarEndpoints.reserve, ({ bookingId, car }) => {
          if (!car) throw new Error(`booking ${bookingId} has no car to rent`);
          return { bookingId, carClass: car.carClass, days: car.days };
        })
        .onReply((trip, reply: CarReserved) => withPrice(trip, 'car', reply.price))
        .withCompensation(CarEndpoints.cancel, (trip) => ({ bookingId: trip.bookingId }))
        .onlyIf((trip) => trip.car !== undefined),
  },
  {
    since: 1,
    add: (saga) =>
      saga
        .step('payment')
        .invokeParticipant(PaymentEndpoints.charge, (trip) => ({
          bookingId: trip.bookingId,
          customerId: trip.customerId,
          amount: tripAmount(trip),
        }))
        .withCompensation(PaymentEndpoints.refund, (trip) => ({ bookingId: trip.bookingId })),
  },
];
