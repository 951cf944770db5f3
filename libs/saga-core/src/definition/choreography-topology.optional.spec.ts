import { defineChoreography } from '../choreography/choreography-definition.builder';
import { eventsOf, optionalChoreography } from '../testing/optional-steps.fixture';
import { choreographyTopology, stepActsOn } from './choreography-topology';

const ref = (type: string) => ({ exchange: 'abcd.events', type });
const undone = (step: string) => [
  ref(`${step}.failed`),
  ref(`${step}.undone`),
  ref(`${step}.undo-failed`),
];

describe('the topology of a choreography with optional steps', () => {
  it('lets the neighbours of an optional step react past it, up to the nearest step that always runs', () => {
    expect(choreographyTopology(optionalChoreography.spec)).toEqual([
      { step: 'a', work: [ref('abcd.started')], undo: [...undone('b'), ref('a.undo-requested')] },
      {
        step: 'b',
        work: [ref('a.done')],
        undo: [...undone('c'), ...undone('d'), ref('b.undo-requested')],
      },
      { step: 'c', work: [ref('b.done')], undo: [...undone('d'), ref('c.undo-requested')] },
      {
        step: 'd',
        work: [ref('b.done'), ref('c.done')],
        undo: [ref('abcd.cancelled'), ref('d.undo-requested')],
      },
    ]);
  });

  it('reaches the start and cancel events past optional first and last steps', () => {
    const builder = defineChoreography<{ on: string[] }>('xyz', 1)
      .startsWith(eventsOf('start').succeeded, (d) => d)
      .cancelledWith(eventsOf('cancel').succeeded, (d) => d);
    for (const name of ['x', 'y', 'z']) {
      const e = eventsOf(name);
      const step = builder
        .step(name)
        .succeededOn(e.succeeded)
        .failedOn(e.failed)
        .compensatedOn(e.compensated)
        .compensationFailedOn(e.compensationFailed)
        .compensationRequestedWith(e.compensationRequested);
      if (name !== 'y') step.onlyIf((d) => d.on.includes(name));
    }
    const { spec, handlers } = builder.build();
    expect(spec.steps.map((s) => s.optional)).toEqual([true, undefined, true]);
    expect(handlers.isActive(0, { on: ['x'] })).toBe(true);
    expect(handlers.isActive(2, { on: ['x'] })).toBe(false);
    expect(choreographyTopology(spec)).toEqual([
      { step: 'x', work: [ref('start.done')], undo: [...undone('y'), ref('x.undo-requested')] },
      {
        step: 'y',
        work: [ref('start.done'), ref('x.done')],
        undo: [...undone('z'), ref('cancel.done'), ref('y.undo-requested')],
      },
      { step: 'z', work: [ref('y.done')], undo: [ref('cancel.done'), ref('z.undo-requested')] },
    ]);
  });

  describe('whether a step acts on an event, for one saga', () => {
    const { spec } = optionalChoreography;
    const withC = () => true;
    const withoutC = (k: number) => k !== 2;
    const acts = (step: number, type: string, isActive: (k: number) => boolean) =>
      stepActsOn(spec, step, type, isActive);

    it('on the way forward, the optional step takes the event when it runs, the next one when not', () => {
      expect([
        acts(2, 'b.done', withC),
        acts(3, 'b.done', withC),
        acts(3, 'c.done', withC),
      ]).toEqual([true, false, true]);
      expect([acts(2, 'b.done', withoutC), acts(3, 'b.done', withoutC)]).toEqual([false, true]);
      expect(acts(0, 'abcd.started', withoutC)).toBe(true);
    });

    it('undoing, the step before takes the report of the optional step, or of the one after it', () => {
      expect([
        acts(1, 'd.failed', withC),
        acts(1, 'c.undone', withC),
        acts(2, 'd.failed', withC),
      ]).toEqual([false, true, true]);
      expect([acts(1, 'd.failed', withoutC), acts(2, 'd.failed', withoutC)]).toEqual([true, false]);
      expect([acts(3, 'abcd.cancelled', withoutC), acts(1, 'b.undo-requested', withC)]).toEqual([
        true,
        true,
      ]);
    });

    it('never acts for a step that does not run, nor on an event that is not of the saga', () => {
      expect(acts(2, 'c.undo-requested', withoutC)).toBe(false);
      expect(acts(1, 'other.event', withC)).toBe(false);
    });
  });
});
