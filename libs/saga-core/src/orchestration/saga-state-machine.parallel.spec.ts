import { commandEndpoint } from '../definition/command-endpoint';
import { defineSaga } from '../definition/saga-definition.builder';
import { AuditType } from '../model/audit-entry';
import { SagaStatus } from '../model/saga-status';
import { StepStatus } from '../model/step-status';
import { SagaUnitTest } from '../testing/saga-unit-test';

interface Trip {
  id: string;
  car: boolean;
  prices: Record<string, number>;
}

const endpoints = (name: string) => ({
  run: commandEndpoint<{ id: string }, { price: number }>(`${name}.commands`, `${name}.reserve`),
  undo: commandEndpoint<{ id: string }>(`${name}.commands`, `${name}.cancel`),
});
const flight = endpoints('flight');
const hotel = endpoints('hotel');
const car = endpoints('car');
const payment = {
  run: commandEndpoint<{ id: string; amount: number }>('payment.commands', 'payment.charge'),
  undo: commandEndpoint<{ id: string }>('payment.commands', 'payment.refund'),
};
const PRICE = { flight: 100, hotel: 20, car: 3 };

/** flight, hotel and car (only if asked) at once, hotel with retries; payment once all priced. */
const trip = defineSaga<Trip>('parallel-trip', 1)
  .withDefaults({ timeoutMs: 1_000 })
  .step('flight')
  .invokeParticipant(flight.run, (t) => ({ id: t.id }))
  .onReply((t, r) => ({ ...t, prices: { ...t.prices, flight: r.price } }))
  .withCompensation(flight.undo, (t) => ({ id: t.id }))
  .step('hotel')
  .inParallel()
  .invokeParticipant(hotel.run, (t) => ({ id: t.id }))
  .onReply((t, r) => ({ ...t, prices: { ...t.prices, hotel: r.price } }))
  .withCompensation(hotel.undo, (t) => ({ id: t.id }))
  .withTimeout(3_000)
  .withRetry({ maxAttempts: 2, initialDelayMs: 500, jitter: false })
  .step('car')
  .inParallel()
  .invokeParticipant(car.run, (t) => ({ id: t.id }))
  .onReply((t, r) => ({ ...t, prices: { ...t.prices, car: r.price } }))
  .withCompensation(car.undo, (t) => ({ id: t.id }))
  .withTimeout(2_000)
  .onlyIf((t) => t.car)
  .step('payment')
  .invokeParticipant(payment.run, (t) => ({
    id: t.id,
    amount: Object.values(t.prices).reduce((a, b) => a + b, 0),
  }))
  .withCompensation(payment.undo, (t) => ({ id: t.id }))
  .build();

const started = (withCar = true) =>
  SagaUnitTest.of(trip).givenStarted({ id: 't-1', car: withCar, prices: {} });
const lines = (test: SagaUnitTest<Trip>, type: string) =>
  test.audit.filter((a) => a.type === type).map((a) => a.step);

describe('an orchestrated saga with parallel steps (flight, hotel and car at once, then payment)', () => {
  it('marks only the steps that join a group, so other specs stay as stored', () => {
    expect(trip.spec.steps.map((s) => s.parallel)).toEqual([undefined, true, true, undefined]);
    expect(trip.spec.steps.filter((s) => 'parallel' in s).map((s) => s.name)).toEqual([
      'hotel',
      'car',
    ]);
  });

  it('sends the group at once, and the payment with every price once all have replied', () => {
    const test = started()
      .expectCommands(flight.run, hotel.run, car.run)
      .andReplySuccessTo(hotel.run, { price: PRICE.hotel })
      .expectNoCommand()
      .andReplySuccessTo(car.run, { price: PRICE.car })
      .expectNoCommand()
      .expectSteps({ flight: StepStatus.RUNNING, hotel: StepStatus.COMPLETED })
      .andReplySuccessTo(flight.run, { price: PRICE.flight })
      .expectCommands(payment.run)
      .expectCommand(payment.run, { amount: 123 })
      .andReplySuccess()
      .expectStatus(SagaStatus.CONFIRMED);
    expect(test.state.awaiting).toEqual([]);
    expect(lines(test, AuditType.STEP_COMPLETED)).toEqual(['hotel', 'car', 'flight', 'payment']);
  });

  it('runs the group without its inactive step', () => {
    started(false)
      .expectCommands(flight.run, hotel.run)
      .andReplySuccessTo(flight.run, { price: PRICE.flight })
      .andReplySuccessTo(hotel.run, { price: PRICE.hotel })
      .expectCommand(payment.run, { amount: 120 })
      .andReplySuccess()
      .expectStatus(SagaStatus.CONFIRMED)
      .expectSteps({ car: StepStatus.INACTIVE });
  });

  it('waits for the replies still out when one refuses, then undoes those that succeeded', () => {
    const test = started()
      .andReplyFailureTo(hotel.run, 'SOLD_OUT')
      .expectNoCommand()
      .expectStatus(SagaStatus.PENDING)
      .andReplySuccessTo(flight.run, { price: PRICE.flight })
      .expectNoCommand()
      .andReplySuccessTo(car.run, { price: PRICE.car })
      .expectUndoChain(car.undo, flight.undo)
      .expectNoCommand()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        flight: StepStatus.COMPENSATED,
        hotel: StepStatus.FAILED,
        car: StepStatus.COMPENSATED,
        payment: StepStatus.SKIPPED,
      });
    expect(test.state.compensating).toBe(true);
    expect(test.state.failureReason).toBe('hotel: SOLD_OUT');
    expect(lines(test, AuditType.COMPENSATION_STARTED)).toHaveLength(1);
  });

  it('starts undoing at once when the last reply out is the refusal', () => {
    started()
      .andReplySuccessTo(flight.run, { price: PRICE.flight })
      .andReplySuccessTo(car.run, { price: PRICE.car })
      .andReplyFailureTo(hotel.run, 'SOLD_OUT')
      .expectUndoChain(car.undo, flight.undo)
      .expectStatus(SagaStatus.CANCELLED);
  });

  it('keeps the first failure as the cause when a second step of the group refuses too', () => {
    const test = started()
      .andReplyFailureTo(car.run, 'NO_CARS')
      .andReplyFailureTo(flight.run, 'FULL')
      .expectNoCommand()
      .andReplySuccessTo(hotel.run, { price: PRICE.hotel })
      .expectCommands(hotel.undo)
      .andReplySuccess()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({ flight: StepStatus.FAILED, car: StepStatus.FAILED });
    expect(test.state.failureReason).toBe('car: NO_CARS');
  });

  it('keeps its timer on the earliest reply still due, and undoes a step that timed out', () => {
    const test = started()
      .andReplySuccessTo(flight.run, { price: PRICE.flight })
      .andReplySuccessTo(car.run, { price: PRICE.car })
      // flight's deadline (1 s) is settled: the timer is on hotel's (3 s), not stale.
      .andTimerFires()
      .expectUndoChain(car.undo, hotel.undo, flight.undo)
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({ hotel: StepStatus.COMPENSATED });
    expect(test.audit.find((a) => a.type === AuditType.STEP_TIMED_OUT)?.step).toBe('hotel');
  });

  it('fires the deadline of each silent step in turn', () => {
    started()
      .andReplySuccessTo(hotel.run, { price: PRICE.hotel })
      .andTimerFires()
      .expectNoCommand()
      .expectSteps({ flight: StepStatus.TIMED_OUT, car: StepStatus.RUNNING })
      .andTimerFires()
      .expectCommands(car.undo)
      .expectSteps({ car: StepStatus.COMPENSATING });
  });

  it('retries one step of the group while the others go on', () => {
    started()
      .andReplyFailureTo(hotel.run, 'BUSY', { retryable: true })
      .expectNoCommand()
      .andReplySuccessTo(flight.run, { price: PRICE.flight })
      .andReplySuccessTo(car.run, { price: PRICE.car })
      .expectNoCommand()
      .andTimerFires()
      .expectCommands(hotel.run)
      .andReplySuccessTo(hotel.run, { price: PRICE.hotel })
      .expectCommand(payment.run, { amount: 123 })
      .andReplySuccess()
      .expectStatus(SagaStatus.CONFIRMED);
  });

  it('does not retry a step of the group once another has failed', () => {
    const test = started()
      .andReplyFailureTo(hotel.run, 'BUSY', { retryable: true })
      .andReplyFailureTo(flight.run, 'FULL')
      .expectNoCommand()
      .expectSteps({ hotel: StepStatus.FAILED })
      .andReplySuccessTo(car.run, { price: PRICE.car })
      .expectCommands(car.undo)
      .andReplySuccess()
      .expectStatus(SagaStatus.CANCELLED);
    expect(lines(test, AuditType.COMMAND_SENT)).toEqual(['flight', 'hotel', 'car']);
  });

  it('undoes every step out when an operator cancels, and ignores their late replies', () => {
    const test = started()
      .andReplySuccessTo(car.run, { price: PRICE.car })
      .andOperatorCancels()
      .expectCommands(car.undo)
      .expectSteps({ flight: StepStatus.CANCELLED, hotel: StepStatus.CANCELLED });
    expect(lines(test, AuditType.OPERATOR_CANCELLED)).toEqual(['flight', 'hotel']);
    expect(test.state.failureReason).toBe('flight: cancelled by ops: test');
    test
      .expectLateReplyIgnored(hotel.run, { price: PRICE.hotel })
      .expectLateReplyIgnored(flight.run, { price: PRICE.flight })
      .andReplySuccessTo(car.undo)
      .expectUndoChain(hotel.undo, flight.undo)
      .expectStatus(SagaStatus.CANCELLED);
  });

  it('changes nothing on a redelivered reply of the group', () => {
    started()
      .andReplySuccessTo(hotel.run, { price: PRICE.hotel })
      .andReplyRedelivered()
      .expectSteps({ hotel: StepStatus.COMPLETED, flight: StepStatus.RUNNING });
  });
});

describe('defining parallel steps', () => {
  const step = (name: string) => commandEndpoint(`${name}.commands`, `${name}.do`);
  it('refuses a first step in parallel, and a group with a pivot or mixed kinds', () => {
    expect(() =>
      defineSaga('p', 1)
        .step('a')
        .inParallel()
        .invokeParticipant(step('a'), () => ({}))
        .build(),
    ).toThrow('step a has no step before it to run alongside');
    const withPivot = () =>
      defineSaga('p', 1)
        .step('a')
        .invokeParticipant(step('a'), () => ({}))
        .withCompensation(step('u'), () => ({}))
        .step('b')
        .inParallel()
        .invokeParticipant(step('b'), () => ({}))
        .commit()
        .build();
    expect(withPivot).toThrow('steps a, b run in parallel');
  });
});
