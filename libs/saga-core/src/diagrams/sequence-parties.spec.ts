import { ChoreographySpec } from '../definition/choreography-spec';
import { DEFAULT_COMPENSATION_RETRY } from '../definition/retry-policy';
import { sequenceParties } from './sequence-parties';

const event = (type: string) => ({ exchange: 'shop.events', type });
const step = (name: string) => ({
  name,
  timeoutMs: 5000,
  succeeded: event(`${name}.done`),
  failed: event(`${name}.failed`),
  compensated: event(`${name}.undone`),
  compensationFailed: event(`${name}.undo-failed`),
  compensationRequested: event(`${name}.undo-requested`),
  compensationRetry: DEFAULT_COMPENSATION_RETRY,
});
/** `c` is optional: a run may not have it. */
const spec: ChoreographySpec = {
  style: 'choreography',
  name: 'shop',
  version: 1,
  start: event('order.placed'),
  cancel: event('order.cancelled'),
  steps: [step('a'), step('b'), { ...step('c'), optional: true }, step('d')],
};

describe('the parties of one run', () => {
  it('draws every step, each reacting to its neighbours, when the run has them all', () => {
    const parties = sequenceParties(spec, { engine: 'engine' }, ['a', 'b', 'c', 'd']);
    expect(parties.lifelines).toEqual(['client', 'engine', 'a', 'b', 'c', 'd']);
    expect(parties.reactorOf('b.done')).toBe('c');
    expect(parties.reactorOf('d.failed')).toBe('c');
  });

  it('leaves out a step the run does not have, its neighbours reacting past it', () => {
    const parties = sequenceParties(spec, { engine: 'engine' }, ['a', 'b', 'd']);
    expect(parties.lifelines).toEqual(['client', 'engine', 'a', 'b', 'd']);
    expect(parties.reactorOf('b.done')).toBe('d');
    expect(parties.reactorOf('d.failed')).toBe('b');
    expect(parties.reactorOf('d.undone')).toBe('b');
    expect(parties.reactorOf('order.cancelled')).toBe('d');
  });

  it('draws the definition whole when the run does not say its steps', () => {
    expect(sequenceParties(spec).lifelines).toEqual(['client', 'engine', 'a', 'b', 'c', 'd']);
  });
});
