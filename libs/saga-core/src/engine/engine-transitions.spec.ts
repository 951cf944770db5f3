import { contractSaga } from '../testing/contract-fixtures';
import { asTransition } from './engine-transitions';

describe('a decision as a transition', () => {
  it('writes only its audit line for an ignored message, and moves the version', () => {
    const before = contractSaga();
    const ignored = asTransition(before, { ignored: true, audit: [] });
    expect(ignored.instance).toEqual({ ...before, version: before.version + 1 });
    expect(ignored.messages).toEqual([]);
    expect(ignored.timer).toBeUndefined();
  });
});
