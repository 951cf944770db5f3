import { SagaStatus } from '../model/saga-status';
import { StepStatus } from '../model/step-status';
import { ChoreographyUnitTest } from '../testing/choreography-unit-test';
import { eventsOf } from '../testing/optional-steps.fixture';
import { defineChoreography } from './choreography-definition.builder';

interface Trip {
  car: boolean;
  prices: Record<string, number>;
}

const e = {
  start: eventsOf('start').succeeded,
  cancel: eventsOf('cancel').succeeded,
  p: eventsOf('p'),
  a: eventsOf('a'),
  b: eventsOf('b'),
  c: eventsOf('c'),
  d: eventsOf('d'),
};

/** p, then a, b and c at once (c only with a car; b's deadline shorter), then d. */
function groupChoreography(maxAttempts = 2) {
  const builder = defineChoreography<Trip>('pabcd', 1)
    .withDefaultTimeout(5_000)
    .startsWith(e.start, (d) => d)
    .cancelledWith(e.cancel, (d) => d);
  for (const name of ['p', 'a', 'b', 'c', 'd'] as const) {
    const step = builder
      .step(name)
      .succeededOn(e[name].succeeded, (trip, payload) => ({
        ...trip,
        prices: { ...trip.prices, ...(payload as Trip).prices },
      }))
      .failedOn(e[name].failed)
      .compensatedOn(e[name].compensated)
      .compensationFailedOn(e[name].compensationFailed)
      .compensationRequestedWith(e[name].compensationRequested)
      .withCompensationRetry({ maxAttempts, initialDelayMs: 100, jitter: false });
    if (name === 'b' || name === 'c') step.inParallel();
    if (name === 'b') step.withTimeout(3_000);
    if (name === 'c') step.onlyIf((d) => d.car);
  }
  return builder.build();
}

const trip: Trip = { car: true, prices: {} };
const priced = (...steps: string[]): Trip => ({
  ...trip,
  prices: Object.fromEntries(steps.map((s) => [s, 10])),
});
const started = (data = trip, maxAttempts = 2) =>
  ChoreographyUnitTest.of(groupChoreography(maxAttempts))
    .givenStarted(data)
    .expectPublished(e.start)
    .whenEvent(e.p.succeeded, priced('p'));
const waitingFor = (run: ChoreographyUnitTest<Trip>) =>
  run.state.awaiting.map((a) => `${a.stepIndex}:${a.phase}`);
const story = (run: ChoreographyUnitTest<Trip>) =>
  run.audit.map((a) => (a.step ? `${a.type}:${a.step}` : a.type));

describe('a choreographed saga with a parallel group, as the tracker follows it', () => {
  it('waits for every step of the group at once, each under its own deadline', () => {
    const run = started();
    expect(waitingFor(run)).toEqual(['1:forward', '2:forward', '3:forward']);
    expect(run.state.awaiting.map((a) => a.fireAt)).toEqual([
      '2030-01-01T00:00:05.000Z',
      '2030-01-01T00:00:03.000Z',
      '2030-01-01T00:00:05.000Z',
    ]);
    // The saga's one timer is on the deadline due first: b's.
    expect(run.deadline).toEqual(new Date('2030-01-01T00:00:03.000Z'));
    run.expectSteps({
      p: StepStatus.COMPLETED,
      a: StepStatus.RUNNING,
      b: StepStatus.RUNNING,
      c: StepStatus.RUNNING,
      d: StepStatus.PENDING,
    });
  });

  it('confirms once the group’s successes came, in any order, then the next step’s', () => {
    const run = started()
      .whenEvent(e.c.succeeded, priced('p', 'c'))
      .whenEvent(e.b.succeeded, priced('p', 'b'));
    expect(waitingFor(run)).toEqual(['1:forward']);
    expect(run.deadline).toEqual(new Date('2030-01-01T00:00:05.000Z'));
    run.whenEvent(e.a.succeeded, priced('p', 'a'));
    expect(waitingFor(run)).toEqual(['4:forward']);
    run
      .whenEvent(e.d.succeeded, priced('p', 'a', 'b', 'c', 'd'))
      .expectStatus(SagaStatus.CONFIRMED);
    expect(run.state.data.prices).toEqual({ p: 10, a: 10, b: 10, c: 10, d: 10 });
    expect(run.state.awaiting).toEqual([]);
  });

  it('takes the next step’s success as proof of the whole group’s', () => {
    const run = started()
      .whenEvent(e.d.succeeded, priced('p', 'a', 'b', 'c', 'd'))
      .expectStatus(SagaStatus.CONFIRMED)
      .whenEvent(e.b.succeeded, priced('p', 'b'), { ignored: true });
    expect(run.state.steps.map((s) => s.status)).toEqual(Array(5).fill(StepStatus.COMPLETED));
  });

  it('never takes one step’s success as proof of another’s in its group', () => {
    const run = started().whenEvent(e.b.succeeded, priced('p', 'b'));
    run.expectSteps({
      p: StepStatus.COMPLETED,
      a: StepStatus.RUNNING,
      b: StepStatus.COMPLETED,
      c: StepStatus.RUNNING,
      d: StepStatus.PENDING,
    });
  });

  it('does not wait for a step of the group that does not run', () => {
    const run = started({ car: false, prices: {} });
    expect(waitingFor(run)).toEqual(['1:forward', '2:forward']);
    run
      .whenEvent(e.a.succeeded, priced('a'))
      .whenEvent(e.b.succeeded, priced('b'))
      .whenEvent(e.d.succeeded, priced('a', 'b', 'd'))
      .expectStatus(SagaStatus.CONFIRMED)
      .expectSteps({ c: StepStatus.INACTIVE });
  });

  it('waits, when one refuses, for the undo of each other step of the group, then of the step before', () => {
    const run = started()
      .whenEvent(e.a.succeeded, priced('p', 'a'))
      .whenEvent(e.b.failed, { ...trip, reason: 'SOLD_OUT' })
      .expectSteps({
        p: StepStatus.COMPENSATING,
        a: StepStatus.COMPENSATING,
        b: StepStatus.FAILED,
        c: StepStatus.RUNNING,
        d: StepStatus.PENDING,
      });
    expect(waitingFor(run)).toEqual(['1:compensation', '3:compensation']);
    run.whenEvent(e.c.compensated, trip).expectStatus(SagaStatus.PENDING);
    expect(waitingFor(run)).toEqual(['1:compensation']);
    run.whenEvent(e.a.compensated, trip);
    expect(waitingFor(run)).toEqual(['0:compensation']);
    run
      .whenEvent(e.p.compensated, trip)
      .expectPublished()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({ a: StepStatus.COMPENSATED, c: StepStatus.COMPENSATED, d: StepStatus.SKIPPED });
    expect(run.state.failureReason).toBe('b: SOLD_OUT');
  });

  it('waits for the undo of every step of the group when the step after it is declined', () => {
    const run = started()
      .whenEvent(e.a.succeeded, priced('p', 'a'))
      .whenEvent(e.b.succeeded, priced('p', 'b'))
      .whenEvent(e.c.succeeded, priced('p', 'c'))
      .whenEvent(e.d.failed, { ...trip, reason: 'DECLINED' });
    expect(waitingFor(run)).toEqual(['1:compensation', '2:compensation', '3:compensation']);
    run
      .whenEvent(e.b.compensated, trip)
      .whenEvent(e.a.compensationFailed, { ...trip, reason: 'still held' })
      .whenEvent(e.b.compensated, trip, { ignored: true })
      .expectStatus(SagaStatus.PENDING)
      .whenEvent(e.c.compensated, trip);
    expect(waitingFor(run)).toEqual(['0:compensation']);
    // A step of the group gave its undo up. Its participant's report sets off the step before
    // by itself, but the tracker cannot tell it from a give-up of its own: it asks, too, and
    // the undo is idempotent.
    run
      .expectPublished(e.p.compensationRequested)
      .whenEvent(e.p.compensated, trip)
      .whenEvent(e.p.compensated, trip, { ignored: true })
      .expectStatus(SagaStatus.COMPENSATION_FAILED)
      .expectSteps({ a: StepStatus.COMPENSATION_FAILED, p: StepStatus.COMPENSATED });
  });

  it('cancels the saga when one step of the group misses its deadline, and undoes from the end', () => {
    const run = started()
      .whenEvent(e.a.succeeded, priced('p', 'a'))
      .whenEvent(e.c.succeeded, priced('p', 'c'))
      .whenDeadlinePasses()
      .expectPublished(e.cancel)
      .expectSteps({ b: StepStatus.TIMED_OUT, a: StepStatus.COMPENSATING });
    expect(waitingFor(run)).toEqual(['4:compensation']);
    run.whenEvent(e.d.compensated, trip);
    expect(waitingFor(run)).toEqual(['1:compensation', '2:compensation', '3:compensation']);
    run
      .whenEvent(e.b.compensated, trip)
      .whenEvent(e.c.compensated, trip)
      .whenEvent(e.a.compensated, trip)
      .whenEvent(e.p.compensated, trip)
      .expectStatus(SagaStatus.CANCELLED);
  });

  it('asks again for the undo of each step of the group that misses its deadline, one by one', () => {
    const run = started()
      .whenEvent(e.a.succeeded, priced('p', 'a'))
      .whenEvent(e.c.succeeded, priced('p', 'c'))
      .whenEvent(e.b.failed, { ...trip, reason: 'SOLD_OUT' });
    // a and c are due at the same moment: each timer handles one of them.
    run.whenDeadlinePasses().whenDeadlinePasses();
    expect(story(run).filter((s) => s.startsWith('COMPENSATION_ATTEMPT_FAILED'))).toEqual([
      'COMPENSATION_ATTEMPT_FAILED:a',
      'COMPENSATION_ATTEMPT_FAILED:c',
    ]);
    expect(run.state.awaiting.map((a) => `${a.stepIndex}:${a.kind}`)).toEqual([
      '1:backoff',
      '3:backoff',
    ]);
    run
      .whenDeadlinePasses()
      .expectPublished(e.a.compensationRequested)
      .whenEvent(e.a.compensated, trip)
      .whenDeadlinePasses()
      .expectPublished(e.c.compensationRequested);
    expect(waitingFor(run)).toEqual(['3:compensation']);
    // c's last try passes unanswered: given up, and the step before is asked, since the
    // report that would have set it off never came.
    run
      .whenDeadlinePasses()
      .expectPublished(e.p.compensationRequested)
      .expectSteps({ c: StepStatus.COMPENSATION_FAILED, a: StepStatus.COMPENSATED })
      .whenEvent(e.p.compensated, trip)
      .expectStatus(SagaStatus.COMPENSATION_FAILED);
  });

  it('asks for the undo of the step before once the group is done, when it gave one of it up earlier', () => {
    const run = started(trip, 1)
      .whenEvent(e.a.succeeded, priced('p', 'a'))
      .whenEvent(e.c.succeeded, priced('p', 'c'))
      .whenEvent(e.b.failed, { ...trip, reason: 'SOLD_OUT' })
      .whenDeadlinePasses()
      .expectSteps({ a: StepStatus.COMPENSATION_FAILED, c: StepStatus.COMPENSATING })
      .expectPublished();
    expect(waitingFor(run)).toEqual(['3:compensation']);
    run.whenEvent(e.c.compensated, trip).expectPublished(e.p.compensationRequested);
    expect(waitingFor(run)).toEqual(['0:compensation']);
  });
});
