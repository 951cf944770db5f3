import { defineChoreography } from '@app/saga-core';
import { TripBooking, TripEvents } from '.';
import { tripBookingChoreography } from './trip-booking.choreography';

/** The choreography as it was written by hand before it was derived from the saga. */
function handWritten(stepTimeoutMs: number, version: number) {
  const fold = (trip: TripBooking, event: TripBooking): TripBooking => ({
    ...trip,
    flightPrice: event.flightPrice ?? trip.flightPrice,
    hotelPrice: event.hotelPrice ?? trip.hotelPrice,
  });
  return defineChoreography<TripBooking>('trip-booking-choreography', version)
    .withDefaultTimeout(stepTimeoutMs)
    .startsWith(TripEvents.bookingRequested, (trip) => trip)
    .cancelledWith(TripEvents.cancellationRequested, (trip, reason) => ({ ...trip, reason }))
    .step('flight')
    .succeededOn(TripEvents.flightReserved, fold)
    .failedOn(TripEvents.flightReservationFailed)
    .compensatedOn(TripEvents.flightCancelled)
    .compensationFailedOn(TripEvents.flightCancellationFailed)
    .compensationRequestedWith(TripEvents.flightCancellationRequested)
    .step('hotel')
    .succeededOn(TripEvents.hotelReserved, fold)
    .failedOn(TripEvents.hotelReservationFailed)
    .compensatedOn(TripEvents.hotelCancelled)
    .compensationFailedOn(TripEvents.hotelCancellationFailed)
    .compensationRequestedWith(TripEvents.hotelCancellationRequested)
    .step('payment')
    .succeededOn(TripEvents.paymentCharged, fold)
    .failedOn(TripEvents.paymentFailed)
    .compensatedOn(TripEvents.paymentRefunded)
    .compensationFailedOn(TripEvents.paymentRefundFailed)
    .compensationRequestedWith(TripEvents.paymentRefundRequested)
    .build();
}

const trip: TripBooking = {
  bookingId: 'b-1',
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 2 },
  hotel: { hotelId: 'HT-200', nights: 3, rooms: 1 },
};

describe('the trip booking choreography, derived from the trip booking saga', () => {
  it.each([
    [5_000, 2],
    [1_500, 1],
  ])('stores the spec it stored when written by hand (timeout %i ms, version %i)', (ms, v) => {
    expect(tripBookingChoreography(ms, v).spec).toEqual(handWritten(ms, v).spec);
  });

  it('publishes the same payloads and folds the same prices in', () => {
    const derived = tripBookingChoreography(5_000).handlers;
    const manual = handWritten(5_000, 2).handlers;
    expect(derived.startPayload(trip)).toEqual(manual.startPayload(trip));
    expect(derived.cancelPayload(trip, 'late')).toEqual(manual.cancelPayload(trip, 'late'));
    const priced = { ...trip, flightPrice: 500, hotelPrice: 360 };
    // The derived fold also keeps the prices by participant, beside the fields it always had.
    const prices = { flight: 500, hotel: 360 };
    for (const step of [0, 1, 2]) {
      expect(derived.onSucceeded(step, trip, priced)).toEqual({
        ...manual.onSucceeded(step, trip, priced),
        prices,
      });
      expect(derived.onSucceeded(step, priced, trip)).toEqual({
        ...manual.onSucceeded(step, priced, trip),
        prices,
      });
    }
  });
});
