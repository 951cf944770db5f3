import { SagaStatus } from '../model/saga-status';
import { StepStatus } from '../model/step-status';
import { ChoreographyUnitTest } from '../testing/choreography-unit-test';
import { event, eventsOf, optionalChoreography } from '../testing/optional-steps.fixture';

const a = eventsOf('a');
const b = eventsOf('b');
const c = eventsOf('c');
const d = eventsOf('d');
const prices = (...steps: string[]) => ({
  id: 'o-1',
  prices: Object.fromEntries(steps.map((s) => [s, 1])),
});

describe('the choreography tracker with an optional step (a, b, c only if asked, d)', () => {
  it('marks the step optional in the choreography spec, and only that one', () => {
    const { steps } = optionalChoreography.spec;
    expect(steps.filter((s) => 'optional' in s).map((s) => [s.name, s.optional])).toEqual([
      ['c', true],
    ]);
  });

  it('skips the step the data does not ask for, and waits for the next one instead', () => {
    const test = ChoreographyUnitTest.of(optionalChoreography)
      .givenStarted({ id: 'o-1', prices: {} })
      .expectPublished(event('abcd.started'))
      .expectSteps({ a: StepStatus.RUNNING, c: StepStatus.INACTIVE })
      .whenEvent(a.succeeded, prices('a'))
      .whenEvent(b.succeeded, prices('a', 'b'))
      .expectSteps({ b: StepStatus.COMPLETED, c: StepStatus.INACTIVE, d: StepStatus.RUNNING })
      .whenEvent(c.succeeded, prices('a', 'b', 'c'), { ignored: true })
      .whenEvent(d.succeeded, prices('a', 'b', 'd'))
      .expectStatus(SagaStatus.CONFIRMED)
      .expectSteps({ c: StepStatus.INACTIVE, d: StepStatus.COMPLETED });
    expect(test.state.data.prices).toEqual({ a: 1, b: 1, d: 1 });
    expect(test.state.awaiting).toEqual([]);
  });

  it('infers the steps before an early outcome, passing over the skipped one', () => {
    ChoreographyUnitTest.of(optionalChoreography)
      .givenStarted({ id: 'o-1', prices: {} })
      .whenEvent(a.succeeded, prices('a'))
      .whenEvent(d.failed, { ...prices('a', 'b'), reason: 'no' })
      .expectSteps({ b: StepStatus.COMPENSATING, c: StepStatus.INACTIVE, d: StepStatus.FAILED })
      .whenEvent(b.compensated, prices('a', 'b'))
      .whenEvent(a.compensated, prices('a', 'b'))
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        a: StepStatus.COMPENSATED,
        b: StepStatus.COMPENSATED,
        c: StepStatus.INACTIVE,
        d: StepStatus.FAILED,
      });
  });

  it('waits for the optional step when the data asks for it', () => {
    ChoreographyUnitTest.of(optionalChoreography)
      .givenStarted({ id: 'o-1', extra: 'yes', prices: {} })
      .whenEvent(a.succeeded, prices('a'))
      .whenEvent(b.succeeded, prices('a', 'b'))
      .expectSteps({ c: StepStatus.RUNNING, d: StepStatus.PENDING })
      .whenEvent(c.succeeded, prices('a', 'b', 'c'))
      .whenEvent(d.succeeded, prices('a', 'b', 'c', 'd'))
      .expectStatus(SagaStatus.CONFIRMED)
      .expectSteps({ c: StepStatus.COMPLETED });
  });

  it('undoes past the skipped step when the saga is cancelled after a deadline', () => {
    ChoreographyUnitTest.of(optionalChoreography)
      .givenStarted({ id: 'o-1', prices: {} })
      .whenEvent(a.succeeded, prices('a'))
      .whenDeadlinePasses()
      .expectPublished(event('abcd.started'), event('abcd.cancelled'))
      .expectSteps({ b: StepStatus.TIMED_OUT, c: StepStatus.INACTIVE, d: StepStatus.PENDING })
      .whenEvent(d.compensated, prices('a'))
      .whenEvent(b.compensated, prices('a'))
      .whenEvent(a.compensated, prices('a'))
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({ a: StepStatus.COMPENSATED, c: StepStatus.INACTIVE, d: StepStatus.SKIPPED });
  });
});
