import { SagaStatus, StepStatus } from '@app/saga-core';
import { ChoreographyUnitTest } from '@app/saga-core/testing';
import { TripBooking, TripEvents } from '.';
import { tripBookingChoreography } from './trip-booking.choreography';

const trip: TripBooking = {
  bookingId: 'b-1',
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 2 },
  hotel: { hotelId: 'HT-200', nights: 3, rooms: 1 },
};
const started = () =>
  ChoreographyUnitTest.of(tripBookingChoreography(5_000, 4))
    .givenStarted(trip)
    .expectPublished(TripEvents.bookingRequested);
const priced = { ...trip, flightPrice: 500, hotelPrice: 360 };

describe('trip booking choreography, repeated reports', () => {
  it('ignores a second copy of an event it already applied', () => {
    started()
      .whenEvent(TripEvents.flightReserved, trip)
      .whenEvent(TripEvents.flightReserved, trip, { ignored: true })
      .expectSteps({ flight: StepStatus.COMPLETED, hotel: StepStatus.RUNNING });
  });

  it('ignores a second report that a step was undone', () => {
    started()
      .whenEvent(TripEvents.flightReserved, trip)
      .whenEvent(TripEvents.hotelReserved, trip)
      .whenEvent(TripEvents.paymentFailed, trip)
      .whenEvent(TripEvents.hotelCancelled, trip)
      .whenEvent(TripEvents.hotelCancelled, trip, { ignored: true })
      .whenEvent(TripEvents.flightCancelled, trip)
      .expectStatus(SagaStatus.CANCELLED);
  });
});

describe('trip booking choreography, events consumed out of order', () => {
  it('confirms when the charge is consumed before the hotel reservation it reacted to', () => {
    const run = started()
      .whenEvent(TripEvents.flightReserved, { ...trip, flightPrice: 500 })
      .whenEvent(TripEvents.paymentCharged, priced)
      .expectStatus(SagaStatus.CONFIRMED)
      .expectSteps({
        flight: StepStatus.COMPLETED,
        hotel: StepStatus.COMPLETED,
        payment: StepStatus.COMPLETED,
      })
      .whenEvent(TripEvents.hotelReserved, priced, { ignored: true });
    expect(run.state.data).toMatchObject({ flightPrice: 500, hotelPrice: 360 });
    const inferred = run.audit.find((a) => a.step === 'hotel' && a.type === 'STEP_COMPLETED');
    expect(inferred?.detail).toEqual({ inferredFrom: TripEvents.paymentCharged.type });
  });

  it('ends CANCELLED when the undo reports come before the refusal that caused them', () => {
    started()
      .whenEvent(TripEvents.flightReserved, trip)
      .whenEvent(TripEvents.hotelReserved, trip)
      .whenEvent(TripEvents.hotelCancelled, trip)
      .whenEvent(TripEvents.flightCancelled, trip)
      .expectStatus(SagaStatus.PENDING)
      .whenEvent(TripEvents.paymentFailed, { ...trip, reason: 'INSUFFICIENT_FUNDS' })
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        flight: StepStatus.COMPENSATED,
        hotel: StepStatus.COMPENSATED,
        payment: StepStatus.FAILED,
      });
  });

  it('ends CANCELLED when the flight undo and the hotel refusal overtake the flight reservation', () => {
    started()
      .whenEvent(TripEvents.flightCancelled, trip)
      .whenEvent(TripEvents.flightReserved, trip, { ignored: true })
      .whenEvent(TripEvents.hotelReservationFailed, { ...trip, reason: 'SOLD_OUT' })
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        flight: StepStatus.COMPENSATED,
        hotel: StepStatus.FAILED,
        payment: StepStatus.SKIPPED,
      });
  });

  it('keeps an undo reported ahead of the deadline: the timeout cancels, and a second report changes nothing', () => {
    const run = started()
      .whenEvent(TripEvents.flightCancelled, trip)
      .expectStatus(SagaStatus.PENDING)
      .whenDeadlinePasses()
      .expectPublished(TripEvents.cancellationRequested)
      .expectSteps({ flight: StepStatus.COMPENSATED })
      .whenEvent(TripEvents.flightCancelled, trip, { ignored: true })
      .whenEvent(TripEvents.paymentRefunded, trip)
      .whenEvent(TripEvents.hotelCancelled, trip)
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        flight: StepStatus.COMPENSATED,
        hotel: StepStatus.SKIPPED,
        payment: StepStatus.SKIPPED,
      });
    const undone = run.audit.filter((a) => a.type === 'STEP_COMPENSATED' && a.step === 'flight');
    expect(undone).toHaveLength(1);
  });

  it("keeps a later step's early undo when the deadline of that step passes", () => {
    started()
      .whenEvent(TripEvents.flightReserved, trip)
      .whenEvent(TripEvents.hotelCancelled, trip)
      .whenDeadlinePasses()
      .expectSteps({ flight: StepStatus.COMPENSATING, hotel: StepStatus.COMPENSATED })
      .whenEvent(TripEvents.paymentRefunded, trip)
      .whenEvent(TripEvents.hotelCancelled, trip, { ignored: true })
      .whenEvent(TripEvents.flightCancelled, trip)
      .expectStatus(SagaStatus.CANCELLED);
  });

  it('still ignores an undo report when nothing ran or failed', () => {
    started().whenEvent(TripEvents.hotelCancelled, trip, { ignored: true });
  });
});
