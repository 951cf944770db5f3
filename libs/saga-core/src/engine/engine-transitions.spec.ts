import { contractSaga, transitionOf } from '../testing/contract-fixtures';
import { StepStatus } from '../model/step-status';
import { asTransition, withChangedSteps } from './engine-transitions';

describe('the steps a transition changed', () => {
  it('names only the steps whose state differs from the saga it was decided on', () => {
    const before = contractSaga();
    const after = {
      ...before,
      version: before.version + 1,
      steps: before.steps.map((s) => ({ ...s })),
    };
    expect(withChangedSteps(before, transitionOf(after)).changedSteps).toEqual([]);

    after.steps[1].status = StepStatus.RUNNING;
    after.steps[1].startedAt = new Date(Date.parse('2030-01-01T00:00:01Z'));
    expect(withChangedSteps(before, transitionOf(after)).changedSteps).toEqual([1]);

    after.steps[0].endedAt = new Date(Date.parse('2030-01-01T00:00:02Z'));
    expect(withChangedSteps(before, transitionOf(after)).changedSteps).toEqual([0, 1]);
  });

  it('counts an equal time in another Date object as unchanged, and a changed flag as changed', () => {
    const before = contractSaga();
    const after = { ...before, steps: before.steps.map((s) => ({ ...s })) };
    after.steps[0].startedAt = before.steps[0].startedAt && new Date(before.steps[0].startedAt);
    after.steps[1].mayHaveTakenEffect = !before.steps[1].mayHaveTakenEffect;
    expect(withChangedSteps(before, transitionOf(after)).changedSteps).toEqual([1]);
  });

  it('writes no step for an ignored message', () => {
    const before = contractSaga();
    const ignored = asTransition(before, { ignored: true, audit: [] });
    expect(ignored.changedSteps).toEqual([]);
    expect(ignored.instance.version).toBe(before.version + 1);
  });
});
