import { defineChoreography } from '../choreography/choreography-definition.builder';
import { DefinitionError } from '../errors/definition.error';
import { eventsOf } from '../testing/optional-steps.fixture';
import { choreographyTopology, stepReaction } from './choreography-topology';

const ref = (type: string) => ({ exchange: 'abcd.events', type });
const undone = (step: string) => [
  ref(`${step}.failed`),
  ref(`${step}.undone`),
  ref(`${step}.undo-failed`),
];

interface Trip {
  car: boolean;
}

/** p, then a, b and c at once (c only with a car), then d. */
function groupChoreography(parallel = ['b', 'c']) {
  const builder = defineChoreography<Trip>('pabcd', 1)
    .startsWith(eventsOf('start').succeeded, (d) => d)
    .cancelledWith(eventsOf('cancel').succeeded, (d) => d);
  for (const name of ['p', 'a', 'b', 'c', 'd']) {
    const e = eventsOf(name);
    const step = builder
      .step(name)
      .succeededOn(e.succeeded)
      .failedOn(e.failed)
      .compensatedOn(e.compensated)
      .compensationFailedOn(e.compensationFailed)
      .compensationRequestedWith(e.compensationRequested);
    if (parallel.includes(name)) step.inParallel();
    if (name === 'c') step.onlyIf((d) => d.car);
  }
  return builder.build();
}

describe('the topology of a choreography with a parallel group', () => {
  const { spec } = groupChoreography();
  const withCar = () => true;
  const withoutCar = (k: number) => k !== 3;
  const reaction = (step: number, type: string, isActive: (k: number) => boolean = withCar) =>
    stepReaction(spec, step, type, isActive);

  it('sets every step of the group to work on the step before it, and the next on all of them', () => {
    expect(spec.steps.map((s) => s.parallel)).toEqual([
      undefined,
      undefined,
      true,
      true,
      undefined,
    ]);
    expect(choreographyTopology(spec)).toEqual([
      {
        step: 'p',
        work: [ref('start.done')],
        undo: [...undone('a'), ...undone('b'), ...undone('c'), ref('p.undo-requested')],
      },
      {
        step: 'a',
        work: [ref('p.done')],
        undo: [...undone('d'), ref('b.failed'), ref('c.failed'), ref('a.undo-requested')],
      },
      {
        step: 'b',
        work: [ref('p.done')],
        undo: [...undone('d'), ref('a.failed'), ref('c.failed'), ref('b.undo-requested')],
      },
      {
        step: 'c',
        work: [ref('p.done')],
        undo: [...undone('d'), ref('a.failed'), ref('b.failed'), ref('c.undo-requested')],
      },
      {
        step: 'd',
        work: [ref('a.done'), ref('b.done'), ref('c.done')],
        undo: [ref('cancel.done'), ref('d.undo-requested')],
      },
    ]);
  });

  it('joins the successes of the group steps that run before the step after it works', () => {
    const join = (members: string[], member: string) => ({
      act: true,
      join: { reaction: 'work', member, members },
    });
    expect(reaction(4, 'b.done')).toEqual(join(['a', 'b', 'c'], 'b'));
    expect(reaction(4, 'a.done', withoutCar)).toEqual(join(['a', 'b'], 'a'));
    expect(reaction(4, 'c.done', withoutCar)).toEqual({ act: false });
  });

  it('joins the undo reports of the group before the step before it undoes', () => {
    const join = (members: string[], member: string) => ({
      act: true,
      join: { reaction: 'undo', member, members },
    });
    expect(reaction(0, 'a.failed')).toEqual(join(['a', 'b', 'c'], 'a'));
    expect(reaction(0, 'c.undo-failed')).toEqual(join(['a', 'b', 'c'], 'c'));
    expect(reaction(0, 'b.undone', withoutCar)).toEqual(join(['a', 'b'], 'b'));
    expect(reaction(0, 'a.done')).toEqual({ act: false });
  });

  it('undoes a group step at once on the failure of another, or of the step after the group', () => {
    const now = { act: true, join: null };
    expect(reaction(1, 'p.done')).toEqual(now);
    expect(reaction(1, 'b.failed')).toEqual(now);
    expect(reaction(1, 'c.failed')).toEqual(now);
    expect(reaction(3, 'a.failed')).toEqual(now);
    expect(reaction(2, 'd.failed')).toEqual(now);
    expect(reaction(2, 'b.undo-requested')).toEqual(now);
    expect(reaction(4, 'cancel.done')).toEqual(now);
  });

  it('never acts for a group step that does not run, nor on a report of its own or a sibling’s success', () => {
    const none = { act: false };
    expect(reaction(3, 'a.failed', withoutCar)).toEqual(none);
    expect(reaction(3, 'p.done', withoutCar)).toEqual(none);
    expect(reaction(1, 'a.failed')).toEqual(none);
    expect(reaction(1, 'b.done')).toEqual(none);
    expect(reaction(1, 'b.undone')).toEqual(none);
    expect(reaction(1, 'c.undo-requested')).toEqual(none);
  });

  it('acts at once after a group of which one step runs', () => {
    const pair = groupChoreography(['c']).spec;
    // b and c form the group; without a car only b runs.
    expect(stepReaction(pair, 4, 'b.done', withoutCar)).toEqual({ act: true, join: null });
    expect(stepReaction(pair, 1, 'b.failed', withoutCar)).toEqual({ act: true, join: null });
  });

  it('refuses a first step that runs alongside a step before it', () => {
    expect(() => groupChoreography(['p'])).toThrow(DefinitionError);
  });
});
