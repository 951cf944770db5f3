import { TRIP_STEP_EVENTS, TripEvents } from './trip.events';

// Stored definitions and in-flight events carry these names: a rename would strand them.
describe('TripEvents', () => {
  it('keeps every event name it had when they were written by hand', () => {
    const types = Object.fromEntries(Object.entries(TripEvents).map(([key, e]) => [key, e.type]));
    // A new participant adds its own; none of these may change.
    expect(types).toMatchObject({
      bookingRequested: 'trip.booking.requested',
      cancellationRequested: 'trip.booking.cancellation-requested',
      flightReserved: 'trip.flight.reserved',
      flightReservationFailed: 'trip.flight.reservation-failed',
      flightCancelled: 'trip.flight.cancelled',
      flightCancellationFailed: 'trip.flight.cancellation-failed',
      flightCancellationRequested: 'trip.flight.cancellation-requested',
      hotelReserved: 'trip.hotel.reserved',
      hotelReservationFailed: 'trip.hotel.reservation-failed',
      hotelCancelled: 'trip.hotel.cancelled',
      hotelCancellationFailed: 'trip.hotel.cancellation-failed',
      hotelCancellationRequested: 'trip.hotel.cancellation-requested',
      paymentCharged: 'trip.payment.charged',
      paymentFailed: 'trip.payment.failed',
      paymentRefunded: 'trip.payment.refunded',
      paymentRefundFailed: 'trip.payment.refund-failed',
      paymentRefundRequested: 'trip.payment.refund-requested',
    });
    expect(new Set(Object.values(TripEvents).map((e) => e.exchange))).toEqual(
      new Set(['trip.events']),
    );
  });

  it("gives each step the same endpoints as TripEvents' keys", () => {
    expect(TRIP_STEP_EVENTS.payment).toEqual({
      succeeded: TripEvents.paymentCharged,
      failed: TripEvents.paymentFailed,
      compensated: TripEvents.paymentRefunded,
      compensationFailed: TripEvents.paymentRefundFailed,
      compensationRequested: TripEvents.paymentRefundRequested,
    });
    expect(TRIP_STEP_EVENTS.flight.succeeded).toBe(TripEvents.flightReserved);
    expect(TRIP_STEP_EVENTS.hotel.compensationRequested).toBe(
      TripEvents.hotelCancellationRequested,
    );
  });
});
