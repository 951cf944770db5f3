import { defineSaga, SagaDefinition } from '@app/saga-core';
import {
  FlightEndpoints,
  FlightReserved,
  HotelEndpoints,
  HotelReserved,
  PaymentEndpoints,
  TripBooking,
} from '@app/trip-api';

export const TRIP_BOOKING_SAGA = 'trip-booking';

/**
 * The trip booking saga.
 *
 * | step    | command         | reply carries       | compensation  |
 * | ------- | --------------- | ------------------- | ------------- |
 * | flight  | flight.reserve  | seats × price       | flight.cancel |
 * | hotel   | hotel.reserve   | nights × rooms × pn | hotel.cancel  |
 * | payment | payment.charge  | amount charged      | payment.refund (only after a timeout) |
 *
 * The payment amount is what the two reservations priced. Payment is compensatable rather
 * than a pivot because its reply may be lost: a charge whose answer never came is refunded.
 */
export function tripBookingSaga(stepTimeoutMs = 5_000): SagaDefinition<TripBooking> {
  return defineSaga<TripBooking>(TRIP_BOOKING_SAGA, 1)
    .withDefaults({ timeoutMs: stepTimeoutMs })
    .step('flight')
    .invokeParticipant(FlightEndpoints.reserve, (trip) => ({
      bookingId: trip.bookingId,
      flightId: trip.flight.flightId,
      seats: trip.flight.seats,
      fault: trip.faults.flight,
    }))
    .onReply((trip, reply: FlightReserved) => ({ ...trip, flightPrice: reply.price }))
    .withCompensation(FlightEndpoints.cancel, (trip) => ({
      bookingId: trip.bookingId,
      fault: trip.faults.flight,
    }))
    .step('hotel')
    .invokeParticipant(HotelEndpoints.reserve, (trip) => ({
      bookingId: trip.bookingId,
      hotelId: trip.hotel.hotelId,
      nights: trip.hotel.nights,
      rooms: trip.hotel.rooms,
      fault: trip.faults.hotel,
    }))
    .onReply((trip, reply: HotelReserved) => ({ ...trip, hotelPrice: reply.price }))
    .withCompensation(HotelEndpoints.cancel, (trip) => ({
      bookingId: trip.bookingId,
      fault: trip.faults.hotel,
    }))
    .step('payment')
    .invokeParticipant(PaymentEndpoints.charge, (trip) => ({
      bookingId: trip.bookingId,
      customerId: trip.customerId,
      amount: (trip.flightPrice ?? 0) + (trip.hotelPrice ?? 0),
      fault: trip.faults.payment,
    }))
    .withCompensation(PaymentEndpoints.refund, (trip) => ({
      bookingId: trip.bookingId,
      fault: trip.faults.payment,
    }))
    .build();
}
