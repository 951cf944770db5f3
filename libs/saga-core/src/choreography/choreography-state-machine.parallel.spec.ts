import { SagaStatus } from '../model/saga-status';
import { StepStatus } from '../model/step-status';
import { ChoreographyUnitTest } from '../testing/choreography-unit-test';
import {
  e,
  groupChoreography,
  priced,
  started,
  story,
  trip,
  waitingFor,
} from './choreography-parallel.fixture';

describe('a choreographed saga with a parallel group, as the tracker follows it forward', () => {
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

  it.each([
    ['a', 'b', 'c'],
    ['c', 'b', 'a'],
    ['b', 'a', 'c'],
  ] as const)(
    'confirms once the group’s successes came, in any order (%s, %s, %s), then the next step’s',
    (...order) => {
      const run = started();
      const [firstOut, secondOut, lastOut] = order;
      run.whenEvent(e[firstOut].succeeded, priced('p', firstOut));
      run.whenEvent(e[secondOut].succeeded, priced('p', secondOut));
      expect(waitingFor(run)).toEqual([`${['a', 'b', 'c'].indexOf(lastOut) + 1}:forward`]);
      run.whenEvent(e[lastOut].succeeded, priced('p', lastOut));
      expect(waitingFor(run)).toEqual(['4:forward']);
      run
        .whenEvent(e.d.succeeded, priced('p', 'a', 'b', 'c', 'd'))
        .expectPublished()
        .expectStatus(SagaStatus.CONFIRMED);
      expect(run.state.data.prices).toEqual({ p: 10, a: 10, b: 10, c: 10, d: 10 });
      expect(run.state.awaiting).toEqual([]);
      expect(run.deadline).toBeNull();
    },
  );

  it('moves its one timer to the deadline due next once a step of the group reported', () => {
    const run = started().whenEvent(e.b.succeeded, priced('p', 'b'));
    expect(waitingFor(run)).toEqual(['1:forward', '3:forward']);
    expect(run.deadline).toEqual(new Date('2030-01-01T00:00:05.000Z'));
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
    expect(story(run)).not.toContain('STEP_COMPLETED:a');
  });

  it('takes a step’s success that overtook the one before the group as proof of that one only', () => {
    const run = ChoreographyUnitTest.of(groupChoreography())
      .givenStarted(trip)
      .whenEvent(e.b.succeeded, priced('p', 'b'))
      .expectSteps({
        p: StepStatus.COMPLETED,
        a: StepStatus.RUNNING,
        b: StepStatus.COMPLETED,
        c: StepStatus.RUNNING,
        d: StepStatus.PENDING,
      })
      .whenEvent(e.p.succeeded, priced('p'), { ignored: true });
    expect(waitingFor(run)).toEqual(['1:forward', '3:forward']);
    run
      .whenEvent(e.a.succeeded, priced('a'))
      .whenEvent(e.c.succeeded, priced('c'))
      .whenEvent(e.d.succeeded, priced('d'))
      .expectStatus(SagaStatus.CONFIRMED);
  });

  it('ignores a second copy of a success of a step of the group', () => {
    const run = started()
      .whenEvent(e.b.succeeded, priced('p', 'b'))
      .whenEvent(e.b.succeeded, priced('p', 'b'), { ignored: true });
    expect(waitingFor(run)).toEqual(['1:forward', '3:forward']);
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

  it('cancels the saga when one step of the group misses its deadline, and undoes from the end', () => {
    const run = started()
      .whenEvent(e.a.succeeded, priced('p', 'a'))
      .whenEvent(e.c.succeeded, priced('p', 'c'))
      .whenDeadlinePasses()
      .expectPublished(e.cancel)
      .expectSteps({
        p: StepStatus.COMPENSATING,
        a: StepStatus.COMPENSATING,
        b: StepStatus.TIMED_OUT,
        c: StepStatus.COMPENSATING,
        d: StepStatus.PENDING,
      });
    expect(run.state.failureReason).toBe('b: no outcome within 3000 ms');
    expect(waitingFor(run)).toEqual(['4:compensation']);
    run.whenEvent(e.d.compensated, trip);
    expect(waitingFor(run)).toEqual(['1:compensation', '2:compensation', '3:compensation']);
    run
      .whenEvent(e.b.compensated, trip)
      .whenEvent(e.c.compensated, trip)
      .whenEvent(e.a.compensated, trip)
      .whenEvent(e.p.compensated, trip)
      .expectPublished()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({ b: StepStatus.COMPENSATED, d: StepStatus.SKIPPED });
  });

  it('cancels, when an operator asks, in the name of the first step it waits for', () => {
    const run = started()
      .whenOperatorCancels()
      .expectPublished(e.cancel)
      .expectSteps({ a: StepStatus.CANCELLED, b: StepStatus.RUNNING, c: StepStatus.RUNNING });
    expect(waitingFor(run)).toEqual(['4:compensation']);
    expect(run.state.failureReason).toBe('a: cancelled by op: asked to');
  });
});
