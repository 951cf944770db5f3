import { ChoreographyStateMachine, SagaStatus, StepStatus } from '@app/saga-core';
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
    expect(run.state.awaiting).toEqual([]);
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
});

describe('trip booking choreography, a stalled undo chain', () => {
  const paymentFailed = () =>
    started()
      .whenEvent(TripEvents.flightReserved, trip)
      .whenEvent(TripEvents.hotelReserved, trip)
      .whenEvent(TripEvents.paymentFailed, { ...trip, reason: 'INSUFFICIENT_FUNDS' });
  const story = (run: { audit: readonly { type: string; step: string | null }[] }) =>
    run.audit.map((a) => (a.step ? `${a.type}:${a.step}` : a.type));

  it('keeps a deadline on the undo it waits for, and asks for it again once it passes', () => {
    const run = paymentFailed();
    expect(run.deadline).toEqual(new Date(Date.parse('2030-01-01T00:00:05Z')));
    const [awaited] = run.state.awaiting;
    expect(awaited).toMatchObject({ stepIndex: 1, phase: 'compensation', attempt: 1 });
    run
      .whenDeadlinePasses()
      .expectPublished()
      .whenDeadlinePasses()
      .expectPublished(TripEvents.hotelCancellationRequested)
      .expectStatus(SagaStatus.PENDING)
      .whenEvent(TripEvents.hotelCancelled, trip)
      .whenEvent(TripEvents.flightCancelled, trip)
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({ flight: StepStatus.COMPENSATED, hotel: StepStatus.COMPENSATED });
    expect(story(run).slice(-8)).toEqual([
      'COMPENSATION_ATTEMPT_FAILED:hotel',
      'COMPENSATION_RETRY_SCHEDULED:hotel',
      'COMPENSATION_REQUESTED:hotel',
      'EVENT_RECEIVED:hotel',
      'STEP_COMPENSATED:hotel',
      'EVENT_RECEIVED:flight',
      'STEP_COMPENSATED:flight',
      'SAGA_CANCELLED',
    ]);
    const requested = run.audit.find((a) => a.type === 'COMPENSATION_REQUESTED');
    expect(requested?.detail).toMatchObject({
      event: TripEvents.hotelCancellationRequested.type,
      attempt: 2,
      payload: { ...trip, reason: 'payment: INSUFFICIENT_FUNDS' },
    });
    expect(run.state.steps[1].compensationAttempts).toBe(2);
    expect(run.deadline).toBeNull();
  });

  it('gives an undo up after its tries with backoff, asks the step before it, and ends COMPENSATION_FAILED naming it', () => {
    // 5 tries of the hotel's undo: 5 deadlines and 4 backoffs between them.
    const run = paymentFailed().whenDeadlinesPass(9);
    run
      .expectPublished(
        TripEvents.hotelCancellationRequested,
        TripEvents.hotelCancellationRequested,
        TripEvents.hotelCancellationRequested,
        TripEvents.hotelCancellationRequested,
        TripEvents.flightCancellationRequested,
      )
      .expectSteps({ flight: StepStatus.COMPENSATING, hotel: StepStatus.COMPENSATION_FAILED });
    const backoffs = run.audit
      .filter((a) => a.type === 'COMPENSATION_RETRY_SCHEDULED')
      .map((a) => a.detail.delayMs);
    expect(backoffs).toEqual([200, 400, 800, 1600]);
    expect(run.deadline).not.toBeNull();
    run.whenEvent(TripEvents.flightCancelled, trip).expectStatus(SagaStatus.COMPENSATION_FAILED);
    expect(run.audit.at(-1)).toMatchObject({
      type: 'SAGA_COMPENSATION_FAILED',
      detail: { uncompensated: ['hotel'] },
    });
    expect(run.audit.find((a) => a.type === 'STEP_COMPENSATION_FAILED')?.detail).toEqual({
      attempts: 5,
      reason: 'no undo within 5000 ms',
    });
    expect(run.deadline).toBeNull();
  });

  it('asks again, under a deadline, for the undos that failed when an operator retries, and ends CANCELLED', () => {
    const run = paymentFailed()
      .whenDeadlinesPass(9)
      .whenEvent(TripEvents.flightCancelled, trip)
      .expectPublished(
        ...Array(4).fill(TripEvents.hotelCancellationRequested),
        TripEvents.flightCancellationRequested,
      )
      .whenOperatorRetries({ operator: 'carol', reason: 'hotel fixed' })
      .expectPublished(TripEvents.hotelCancellationRequested)
      .expectStatus(SagaStatus.PENDING)
      .expectSteps({ hotel: StepStatus.COMPENSATING });
    expect(run.deadline).not.toBeNull();
    run
      .whenEvent(TripEvents.hotelCancelled, trip)
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({ flight: StepStatus.COMPENSATED, hotel: StepStatus.COMPENSATED });
    expect(story(run)).toContain('OPERATOR_RETRIED_COMPENSATION');
  });

  it('retries an undo its participant reported failed once an operator asks, and fails again if it still fails', () => {
    started()
      .whenEvent(TripEvents.flightReserved, trip)
      .whenEvent(TripEvents.hotelReservationFailed, trip)
      .whenEvent(TripEvents.flightCancellationFailed, { ...trip, reason: 'flight db is read-only' })
      .expectStatus(SagaStatus.COMPENSATION_FAILED)
      .expectPublished()
      .whenOperatorRetries()
      .expectPublished(TripEvents.flightCancellationRequested)
      .whenEvent(TripEvents.flightCancellationFailed, trip)
      .expectStatus(SagaStatus.COMPENSATION_FAILED)
      .whenOperatorRetries()
      .whenEvent(TripEvents.flightCancelled, trip)
      .expectStatus(SagaStatus.CANCELLED);
  });

  it('takes a failure its participant reported as the end of that undo, and waits for the step before it', () => {
    const run = paymentFailed()
      .whenEvent(TripEvents.hotelCancellationFailed, { ...trip, reason: 'hotel db is read-only' })
      .expectPublished()
      .expectSteps({ hotel: StepStatus.COMPENSATION_FAILED, flight: StepStatus.COMPENSATING });
    const [awaited] = run.state.awaiting;
    expect(awaited).toMatchObject({ stepIndex: 0, phase: 'compensation', attempt: 1 });
    expect(run.state.steps[1].lastError).toBe('hotel db is read-only');
    run.whenEvent(TripEvents.flightCancelled, trip).expectStatus(SagaStatus.COMPENSATION_FAILED);
  });

  it('records a late undo of a step it had given up on as done', () => {
    paymentFailed()
      .whenDeadlinesPass(9)
      .whenEvent(TripEvents.hotelCancelled, trip)
      .expectSteps({ hotel: StepStatus.COMPENSATED })
      .whenEvent(TripEvents.flightCancelled, trip)
      .expectStatus(SagaStatus.CANCELLED);
  });

  it('after a timeout, waits for the last step first, and asks the payment for its refund when it does not come', () => {
    const run = started()
      .whenEvent(TripEvents.flightReserved, trip)
      .whenDeadlinePasses()
      .expectPublished(TripEvents.cancellationRequested);
    const payment = run.state.steps.findIndex((s) => s.name === 'payment');
    expect(run.state.awaiting[0]).toMatchObject({ stepIndex: payment, phase: 'compensation' });
    run
      .whenDeadlinesPass(2)
      .expectPublished(TripEvents.paymentRefundRequested)
      .whenEvent(TripEvents.paymentRefunded, trip)
      .expectSteps({ payment: StepStatus.SKIPPED })
      .whenEvent(TripEvents.hotelCancelled, trip)
      .whenEvent(TripEvents.flightCancelled, trip)
      .expectStatus(SagaStatus.CANCELLED);
  });

  it('keeps a deadline after an operator cancel', () => {
    const run = started()
      .whenEvent(TripEvents.flightReserved, trip)
      .whenOperatorCancels()
      .expectPublished(TripEvents.cancellationRequested);
    expect(run.deadline).not.toBeNull();
    run.whenDeadlinesPass(2).expectPublished(TripEvents.paymentRefundRequested);
  });

  it('ignores a timer of an undo it no longer waits for', () => {
    const run = paymentFailed();
    const stale = { sagaId: run.state.id, fireAt: new Date(0), key: 'reply:compensation:1:1' };
    run.whenEvent(TripEvents.hotelCancelled, trip);
    const machine = new ChoreographyStateMachine(tripBookingChoreography(5_000, 4), {
      now: () => new Date(),
      newId: () => 'id',
      random: () => 1,
      replyQueue: 'unused',
      source: 'orchestrator',
    });
    expect(machine.onTimer(run.state, stale)).toBeNull();
  });
});
