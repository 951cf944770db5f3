import { SagaStatus, StepStatus } from '@app/saga-core';
import { SagaUnitTest } from '@app/saga-core/testing';
import { FlightEndpoints, HotelEndpoints, PaymentEndpoints, TripBooking } from '.';
import { tripBookingSaga } from './trip-booking.saga';

const trip = (): TripBooking => ({
  bookingId: 'b-1',
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 2 },
  hotel: { hotelId: 'HT-200', nights: 3, rooms: 1 },
});

/** Version 2 runs its steps one at a time (v3's parallel steps: trip-booking.parallel.spec.ts). */
const saga = () => SagaUnitTest.of(tripBookingSaga(5_000, 2));

describe('trip booking saga, version 2', () => {
  it('reserves the flight, then the hotel, then charges what they priced', () => {
    saga()
      .givenStarted(trip())
      .expectCommand(FlightEndpoints.reserve, { flightId: 'FL-100', seats: 2 })
      .andReplySuccess({ flightId: 'FL-100', seats: 2, price: 500 })
      .expectCommand(HotelEndpoints.reserve, { hotelId: 'HT-200', nights: 3, rooms: 1 })
      .andReplySuccess({ hotelId: 'HT-200', nights: 3, rooms: 1, price: 360 })
      .expectCommand(PaymentEndpoints.charge, { customerId: 'cust-1', amount: 860 })
      .andReplySuccess({ customerId: 'cust-1', amount: 860 })
      .expectNoCommand()
      .expectStatus(SagaStatus.CONFIRMED)
      .expectSteps({
        flight: StepStatus.COMPLETED,
        hotel: StepStatus.COMPLETED,
        payment: StepStatus.COMPLETED,
      });
  });

  it('compensates nothing when the flight is refused', () => {
    saga()
      .givenStarted(trip())
      .expectCommand(FlightEndpoints.reserve, { flightId: 'FL-100', seats: 2 })
      .andReplyFailure('INJECTED_FAILURE')
      .expectNoCommand()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        flight: StepStatus.FAILED,
        hotel: StepStatus.SKIPPED,
        payment: StepStatus.SKIPPED,
      });
  });

  it('cancels the flight when the hotel is sold out', () => {
    saga()
      .givenStarted(trip())
      .andReplySuccess({ price: 500 })
      .expectCommand(HotelEndpoints.reserve)
      .andReplyFailure('SOLD_OUT')
      .expectCommand(FlightEndpoints.cancel, { bookingId: 'b-1' })
      .andReplySuccess()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        flight: StepStatus.COMPENSATED,
        hotel: StepStatus.FAILED,
        payment: StepStatus.SKIPPED,
      });
  });

  it('cancels the hotel, then the flight, when payment is declined', () => {
    const run = saga()
      .givenStarted(trip())
      .andReplySuccess({ price: 500 })
      .andReplySuccess({ price: 360 })
      .expectCommand(PaymentEndpoints.charge)
      .andReplyFailure('INSUFFICIENT_FUNDS')
      .expectCommand(HotelEndpoints.cancel)
      .andReplySuccess()
      .expectCommand(FlightEndpoints.cancel)
      .andReplySuccess()
      .expectNoCommand()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        flight: StepStatus.COMPENSATED,
        hotel: StepStatus.COMPENSATED,
        payment: StepStatus.FAILED,
      })
      .expectAuditSequence([
        'STEP_FAILED:payment',
        'COMPENSATION_SENT:hotel',
        'STEP_COMPENSATED:hotel',
        'COMPENSATION_SENT:flight',
        'STEP_COMPENSATED:flight',
        'SAGA_CANCELLED',
      ]);
    expect(run.state.failureReason).toBe('payment: INSUFFICIENT_FUNDS');
  });

  it('refunds a charge whose reply never came, then undoes the reservations', () => {
    saga()
      .givenStarted(trip())
      .andReplySuccess({ price: 500 })
      .andReplySuccess({ price: 360 })
      .expectCommand(PaymentEndpoints.charge)
      .andTimerFires()
      .expectCommand(PaymentEndpoints.refund, { bookingId: 'b-1' })
      .andReplySuccess()
      .expectCommand(HotelEndpoints.cancel)
      .andReplySuccess()
      .expectCommand(FlightEndpoints.cancel)
      .andReplySuccess()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        flight: StepStatus.COMPENSATED,
        hotel: StepStatus.COMPENSATED,
        payment: StepStatus.COMPENSATED,
      })
      .expectAuditSequence([
        'STEP_TIMED_OUT:payment',
        'COMPENSATION_SENT:payment',
        'SAGA_CANCELLED',
      ]);
  });

  it('ends COMPENSATION_FAILED when the flight cancellation keeps failing, after its retries', () => {
    let run = saga()
      .givenStarted(trip())
      .andReplySuccess({ price: 500 })
      .andReplyFailure('INJECTED_FAILURE')
      .expectCommand(FlightEndpoints.cancel);
    for (let attempt = 1; attempt < 5; attempt++) {
      run = run
        .andReplyFailure('INJECTED_COMPENSATION_FAILURE', { retryable: true })
        .expectNoCommand()
        .expectStatus(SagaStatus.PENDING)
        .andTimerFires()
        .expectCommand(FlightEndpoints.cancel);
    }
    run
      .andReplyFailure('INJECTED_COMPENSATION_FAILURE', { retryable: true })
      .expectStatus(SagaStatus.COMPENSATION_FAILED)
      .expectSteps({ flight: StepStatus.COMPENSATION_FAILED, hotel: StepStatus.FAILED });
    expect(run.state.steps[0].compensationAttempts).toBe(5);
  });

  it('retries a transient failure of a step, then goes on', () => {
    const run = saga()
      .givenStarted(trip())
      .expectCommand(FlightEndpoints.reserve)
      .andReplyFailure('DOWN', { retryable: true })
      .expectNoCommand()
      .andTimerFires()
      .expectCommand(FlightEndpoints.reserve)
      .andReplyFailure('DOWN', { retryable: true })
      .andTimerFires()
      .expectCommand(FlightEndpoints.reserve)
      .andReplySuccess({ price: 500 })
      .expectCommand(HotelEndpoints.reserve)
      .expectSteps({ flight: StepStatus.COMPLETED, hotel: StepStatus.RUNNING });
    expect(run.state.steps[0].attempts).toBe(3);
    expect(run.audit.filter((a) => a.type === 'STEP_RETRY_SCHEDULED')).toHaveLength(2);
  });

  it('compensates once a transient failure outlasts the retries', () => {
    let run = saga().givenStarted(trip()).andReplySuccess({ price: 500 });
    for (let attempt = 1; attempt < 4; attempt++) {
      run = run
        .expectCommand(HotelEndpoints.reserve)
        .andReplyFailure('DOWN', { retryable: true })
        .andTimerFires();
    }
    run
      .expectCommand(HotelEndpoints.reserve)
      .andReplyFailure('DOWN', { retryable: true })
      .expectCommand(FlightEndpoints.cancel)
      .andReplySuccess()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({ flight: StepStatus.COMPENSATED, hotel: StepStatus.FAILED });
  });

  it('ignores a reply delivered twice', () => {
    saga()
      .givenStarted(trip())
      .andReplySuccess({ price: 500 })
      .andReplyRedelivered()
      .expectCommand(HotelEndpoints.reserve)
      .expectSteps({ flight: StepStatus.COMPLETED, hotel: StepStatus.RUNNING });
  });
});

describe('trip booking saga, version 2, operator actions', () => {
  it('undoes the step under way and those before it when an operator cancels', () => {
    const run = saga()
      .givenStarted(trip())
      .andReplySuccess({ price: 500 })
      .expectCommand(HotelEndpoints.reserve)
      .andOperatorCancels({ operator: 'alice', reason: 'customer called' })
      .expectCommand(HotelEndpoints.cancel)
      .andReplySuccess()
      .expectCommand(FlightEndpoints.cancel)
      .andReplySuccess()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        flight: StepStatus.COMPENSATED,
        hotel: StepStatus.COMPENSATED,
        payment: StepStatus.SKIPPED,
      })
      .expectAuditSequence(['OPERATOR_CANCELLED:hotel', 'SAGA_CANCELLED']);
    expect(run.state.failureReason).toBe('hotel: cancelled by alice: customer called');
    expect(run.audit.find((a) => a.type === 'OPERATOR_CANCELLED')?.detail).toEqual({
      operator: 'alice',
      reason: 'customer called',
    });
  });

  it('retries a failed compensation on request, and ends CANCELLED when it succeeds', () => {
    let run = saga()
      .givenStarted(trip())
      .andReplySuccess({ price: 500 })
      .andReplyFailure('SOLD_OUT');
    for (let attempt = 1; attempt < 5; attempt++) {
      run = run.andReplyFailure('DOWN', { retryable: true }).andTimerFires();
    }
    run
      .andReplyFailure('DOWN', { retryable: true })
      .expectStatus(SagaStatus.COMPENSATION_FAILED)
      .andOperatorRetriesCompensation({ operator: 'bob', reason: 'flight service fixed' })
      .expectStatus(SagaStatus.PENDING)
      .expectCommand(FlightEndpoints.cancel)
      .andReplySuccess()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({ flight: StepStatus.COMPENSATED, hotel: StepStatus.FAILED })
      .expectAuditSequence([
        'SAGA_COMPENSATION_FAILED',
        'OPERATOR_RETRIED_COMPENSATION',
        'STEP_COMPENSATED:flight',
        'SAGA_CANCELLED',
      ]);
  });
});
