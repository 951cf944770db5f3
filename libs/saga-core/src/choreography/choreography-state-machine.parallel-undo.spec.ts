import { SagaStatus } from '../model/saga-status';
import { StepStatus } from '../model/step-status';
import { e, priced, started, story, trip, waitingFor } from './choreography-parallel.fixture';

describe('a choreographed saga with a parallel group, as the tracker follows its undo chain', () => {
  it.each([
    ['c', 'a'],
    ['a', 'c'],
  ] as const)(
    'waits, when one refuses, for the undo of each other step of the group (%s first), then of the step before',
    (firstUndone, secondUndone) => {
      const run = started()
        .whenEvent(e.a.succeeded, priced('p', 'a'))
        .whenEvent(e.b.failed, { ...trip, reason: 'SOLD_OUT' })
        .expectPublished()
        .expectSteps({
          p: StepStatus.COMPENSATING,
          a: StepStatus.COMPENSATING,
          b: StepStatus.FAILED,
          c: StepStatus.RUNNING,
          d: StepStatus.PENDING,
        });
      expect(waitingFor(run)).toEqual(['1:compensation', '3:compensation']);
      run.whenEvent(e[firstUndone].compensated, trip).expectStatus(SagaStatus.PENDING);
      expect(waitingFor(run)).toEqual([firstUndone === 'a' ? '3:compensation' : '1:compensation']);
      run.whenEvent(e[secondUndone].compensated, trip);
      expect(waitingFor(run)).toEqual(['0:compensation']);
      run
        .whenEvent(e.p.compensated, trip)
        .expectPublished()
        .expectStatus(SagaStatus.CANCELLED)
        .expectSteps({
          p: StepStatus.COMPENSATED,
          a: StepStatus.COMPENSATED,
          b: StepStatus.FAILED,
          c: StepStatus.COMPENSATED,
          d: StepStatus.SKIPPED,
        });
      expect(run.state.failureReason).toBe('b: SOLD_OUT');
    },
  );

  it('records the success of a step still out beside a refusal, and waits for its undo', () => {
    const run = started()
      .whenEvent(e.b.failed, { ...trip, reason: 'SOLD_OUT' })
      .whenEvent(e.c.succeeded, priced('p', 'c'))
      .expectSteps({ a: StepStatus.RUNNING, c: StepStatus.COMPENSATING });
    expect(run.state.data.prices).toMatchObject({ c: 10 });
    expect(story(run).at(-1)).toBe('STEP_COMPLETED:c');
    expect(waitingFor(run)).toEqual(['1:compensation', '3:compensation']);
    run
      .whenEvent(e.c.succeeded, priced('p', 'c'), { ignored: true })
      .whenEvent(e.c.compensated, trip)
      .whenEvent(e.a.compensated, trip)
      .whenEvent(e.p.compensated, trip)
      .expectStatus(SagaStatus.CANCELLED);
  });

  it('keeps waiting for the group when the step before it reports its undo first', () => {
    const run = started()
      .whenEvent(e.a.succeeded, priced('p', 'a'))
      .whenEvent(e.b.failed, { ...trip, reason: 'SOLD_OUT' })
      .whenEvent(e.c.compensated, trip)
      .whenEvent(e.p.compensated, trip)
      .expectStatus(SagaStatus.PENDING);
    expect(waitingFor(run)).toEqual(['1:compensation']);
    run.whenEvent(e.a.compensated, trip).expectPublished().expectStatus(SagaStatus.CANCELLED);
  });

  it('waits for the undo of every step of the group when the step after it is declined', () => {
    const run = started()
      .whenEvent(e.a.succeeded, priced('p', 'a'))
      .whenEvent(e.b.succeeded, priced('p', 'b'))
      .whenEvent(e.c.succeeded, priced('p', 'c'))
      .whenEvent(e.d.failed, { ...trip, reason: 'DECLINED' })
      .expectSteps({
        a: StepStatus.COMPENSATING,
        b: StepStatus.COMPENSATING,
        c: StepStatus.COMPENSATING,
      });
    expect(waitingFor(run)).toEqual(['1:compensation', '2:compensation', '3:compensation']);
    run.whenEvent(e.b.compensated, trip);
    expect(waitingFor(run)).toEqual(['1:compensation', '3:compensation']);
    run
      .whenEvent(e.a.compensationFailed, { ...trip, reason: 'still held' })
      .whenEvent(e.b.compensated, trip, { ignored: true })
      .expectStatus(SagaStatus.PENDING)
      .whenEvent(e.c.compensated, trip);
    // a's participant reported its undo failed: that report sets off p's participant, as a
    // success would, so the tracker only waits for p.
    expect(waitingFor(run)).toEqual(['0:compensation']);
    run
      .expectPublished()
      .whenEvent(e.p.compensated, trip)
      .whenEvent(e.p.compensated, trip, { ignored: true })
      .expectStatus(SagaStatus.COMPENSATION_FAILED)
      .expectSteps({ a: StepStatus.COMPENSATION_FAILED, p: StepStatus.COMPENSATED });
    expect(run.audit.at(-2)).toMatchObject({
      type: 'SAGA_COMPENSATION_FAILED',
      detail: { uncompensated: ['a'] },
    });
  });

  it('passes over a step of the group that does not run when the step after it is declined', () => {
    const run = started({ car: false, prices: {} })
      .whenEvent(e.a.succeeded, priced('p', 'a'))
      .whenEvent(e.b.succeeded, priced('p', 'b'))
      .whenEvent(e.d.failed, { ...trip, reason: 'DECLINED' });
    expect(waitingFor(run)).toEqual(['1:compensation', '2:compensation']);
    run
      .whenEvent(e.a.compensated, trip)
      .whenEvent(e.b.compensated, trip)
      .whenEvent(e.p.compensated, trip)
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({ c: StepStatus.INACTIVE });
  });

  it('asks again for the undo of the one step of the group that missed its deadline, and gives it up', () => {
    const run = started()
      .whenEvent(e.a.succeeded, priced('p', 'a'))
      .whenEvent(e.c.succeeded, priced('p', 'c'))
      .whenEvent(e.b.failed, { ...trip, reason: 'SOLD_OUT' });
    // a and c are due at the same moment: the timer is for one of them, a.
    run.whenDeadlinePasses().expectPublished();
    expect(story(run).filter((s) => s.startsWith('COMPENSATION_ATTEMPT_FAILED'))).toEqual([
      'COMPENSATION_ATTEMPT_FAILED:a',
    ]);
    expect(run.state.awaiting.map((a) => `${a.stepIndex}:${a.kind}:${a.fireAt}`)).toEqual([
      '1:backoff:2030-01-01T00:00:05.100Z',
      '3:reply:2030-01-01T00:00:05.000Z',
    ]);
    run.whenEvent(e.c.compensated, trip).expectSteps({ c: StepStatus.COMPENSATED });
    expect(run.deadline).toEqual(new Date('2030-01-01T00:00:05.100Z'));
    run.whenDeadlinePasses().expectPublished(e.a.compensationRequested);
    expect(waitingFor(run)).toEqual(['1:compensation']);
    // a's last try passes unanswered: given up, and the step before is asked, since the
    // report that would have set it off never came.
    run
      .whenDeadlinePasses()
      .expectPublished(e.p.compensationRequested)
      .expectSteps({ a: StepStatus.COMPENSATION_FAILED, c: StepStatus.COMPENSATED })
      .whenEvent(e.p.compensated, trip)
      .expectStatus(SagaStatus.COMPENSATION_FAILED);
    expect(run.audit.at(-1)).toMatchObject({
      type: 'SAGA_COMPENSATION_FAILED',
      detail: { uncompensated: ['a'] },
    });
    expect(run.deadline).toBeNull();
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
    run.whenEvent(e.p.compensated, trip).expectStatus(SagaStatus.COMPENSATION_FAILED);
  });

  it('only waits for the step before when the undo it gave up came after all', () => {
    const run = started(trip, 1)
      .whenEvent(e.a.succeeded, priced('p', 'a'))
      .whenEvent(e.c.succeeded, priced('p', 'c'))
      .whenEvent(e.b.failed, { ...trip, reason: 'SOLD_OUT' })
      .whenDeadlinePasses()
      .whenEvent(e.a.compensated, trip)
      .expectSteps({ a: StepStatus.COMPENSATED })
      .whenEvent(e.c.compensated, trip)
      .expectPublished();
    expect(waitingFor(run)).toEqual(['0:compensation']);
    run.whenEvent(e.p.compensated, trip).expectStatus(SagaStatus.CANCELLED);
  });

  it('asks again, when an operator retries, for the undo it gave up, then waits for the step before', () => {
    const run = started(trip, 1)
      .whenEvent(e.a.succeeded, priced('p', 'a'))
      .whenEvent(e.c.succeeded, priced('p', 'c'))
      .whenEvent(e.b.failed, { ...trip, reason: 'SOLD_OUT' })
      .whenDeadlinePasses()
      .whenEvent(e.c.compensated, trip)
      .whenEvent(e.p.compensationFailed, { ...trip, reason: 'p is down' })
      .expectPublished(e.p.compensationRequested)
      .expectStatus(SagaStatus.COMPENSATION_FAILED)
      .whenOperatorRetries()
      .expectPublished(e.a.compensationRequested)
      .expectStatus(SagaStatus.PENDING);
    expect(waitingFor(run)).toEqual(['1:compensation']);
    run
      .whenEvent(e.a.compensated, trip)
      .expectPublished()
      .whenEvent(e.p.compensated, trip)
      .expectStatus(SagaStatus.CANCELLED);
  });
});
