import { SagaStatus, StepStatus } from '@app/saga-core';
import { ChoreographyUnitTest } from '@app/saga-core/testing';
import { TripBooking, TripEvents } from '@app/trip-api';
import { tripBookingChoreography } from './trip-booking.choreography';

const trip: TripBooking = {
  bookingId: 'b-1',
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 2 },
  hotel: { hotelId: 'HT-200', nights: 3, rooms: 1 },
  faults: {},
};
const started = () =>
  ChoreographyUnitTest.of(tripBookingChoreography(5_000))
    .givenStarted(trip)
    .expectPublished(TripEvents.bookingRequested);
const priced = { ...trip, flightPrice: 500, hotelPrice: 360 };

describe('trip booking choreography (as the orchestrator follows it)', () => {
  it('confirms once flight, hotel and payment reported success, and folds in the prices', () => {
    const run = started()
      .whenEvent(TripEvents.flightReserved, { ...trip, flightPrice: 500 })
      .whenEvent(TripEvents.hotelReserved, priced)
      .whenEvent(TripEvents.paymentCharged, priced)
      .expectPublished()
      .expectStatus(SagaStatus.CONFIRMED)
      .expectSteps({
        flight: StepStatus.COMPLETED,
        hotel: StepStatus.COMPLETED,
        payment: StepStatus.COMPLETED,
      });
    expect(run.state.data).toMatchObject({ flightPrice: 500, hotelPrice: 360 });
  });

  it('confirms when the events arrive in reverse order, as two consumers may handle them', () => {
    const run = started()
      .whenEvent(TripEvents.paymentCharged, priced)
      .expectPublished()
      .expectStatus(SagaStatus.CONFIRMED)
      .whenEvent(TripEvents.hotelReserved, priced, { ignored: true })
      .whenEvent(TripEvents.flightReserved, { ...trip, flightPrice: 500 }, { ignored: true });
    expect(run.state.data).toMatchObject({ flightPrice: 500, hotelPrice: 360 });
    expect(run.state.awaiting).toBeNull();
  });

  it('follows the undo chain when a refusal overtook the success before it', () => {
    started()
      .whenEvent(TripEvents.hotelReservationFailed, { ...trip, reason: 'SOLD_OUT' })
      .whenEvent(TripEvents.flightReserved, trip, { ignored: true })
      .expectSteps({
        flight: StepStatus.COMPENSATING,
        hotel: StepStatus.FAILED,
        payment: StepStatus.PENDING,
      })
      .whenEvent(TripEvents.flightCancelled, trip)
      .expectStatus(SagaStatus.CANCELLED);
  });

  it('follows the undo chain back from a declined payment', () => {
    started()
      .whenEvent(TripEvents.flightReserved, trip)
      .whenEvent(TripEvents.hotelReserved, trip)
      .whenEvent(TripEvents.paymentFailed, { ...trip, reason: 'INSUFFICIENT_FUNDS' })
      .expectSteps({
        flight: StepStatus.COMPENSATING,
        hotel: StepStatus.COMPENSATING,
        payment: StepStatus.FAILED,
      })
      .whenEvent(TripEvents.hotelCancelled, trip)
      .expectStatus(SagaStatus.PENDING)
      .whenEvent(TripEvents.flightCancelled, trip)
      .expectPublished()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        flight: StepStatus.COMPENSATED,
        hotel: StepStatus.COMPENSATED,
        payment: StepStatus.FAILED,
      });
  });

  it('ends at once when the flight is refused: nothing to undo', () => {
    started()
      .whenEvent(TripEvents.flightReservationFailed, { ...trip, reason: 'SOLD_OUT' })
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        flight: StepStatus.FAILED,
        hotel: StepStatus.SKIPPED,
        payment: StepStatus.SKIPPED,
      });
  });

  it('publishes a cancellation when the hotel stays silent, and ends when flight is undone', () => {
    started()
      .whenEvent(TripEvents.flightReserved, trip)
      .whenDeadlinePasses()
      .expectPublished(TripEvents.cancellationRequested)
      .expectSteps({ flight: StepStatus.COMPENSATING, hotel: StepStatus.TIMED_OUT })
      .whenEvent(TripEvents.paymentRefunded, trip)
      .whenEvent(TripEvents.hotelCancelled, trip)
      .whenEvent(TripEvents.flightCancelled, trip)
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        flight: StepStatus.COMPENSATED,
        hotel: StepStatus.COMPENSATED,
        payment: StepStatus.SKIPPED,
      });
  });

  it('records a late success after the deadline without acting on it', () => {
    started()
      .whenEvent(TripEvents.flightReserved, trip)
      .whenDeadlinePasses()
      .whenEvent(TripEvents.hotelReserved, trip, { ignored: true })
      .expectSteps({ hotel: StepStatus.TIMED_OUT });
  });

  it('ends COMPENSATION_FAILED when a participant reports its undo failed', () => {
    started()
      .whenEvent(TripEvents.flightReserved, trip)
      .whenEvent(TripEvents.hotelReservationFailed, trip)
      .whenEvent(TripEvents.flightCancellationFailed, trip)
      .expectStatus(SagaStatus.COMPENSATION_FAILED)
      .expectSteps({
        flight: StepStatus.COMPENSATION_FAILED,
        hotel: StepStatus.FAILED,
        payment: StepStatus.SKIPPED,
      });
  });

  it('ignores a second copy of an event it already applied', () => {
    started()
      .whenEvent(TripEvents.flightReserved, trip)
      .whenEvent(TripEvents.flightReserved, trip, { ignored: true })
      .expectSteps({ flight: StepStatus.COMPLETED, hotel: StepStatus.RUNNING });
  });
});

describe('trip booking choreography, repeated undo reports', () => {
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

  it('still ignores an undo report when nothing ran or failed', () => {
    started().whenEvent(TripEvents.hotelCancelled, trip, { ignored: true });
  });
});
