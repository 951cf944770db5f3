import { ChoreographySpec, ChoreographyStepSpec, EventRef } from './choreography-spec';
import { parallelGroupOf } from './saga-spec';

/**
 * The events one step of a choreography is known by, supplied beside the saga definition it
 * is derived from: the step's participant publishes the first four, the tracker the last.
 */
export interface StepEventRefs {
  succeeded: EventRef;
  failed: EventRef;
  compensated: EventRef;
  compensationFailed: EventRef;
  compensationRequested: EventRef;
}

/** Which events set one step's participant to work and which set it to undo that work. */
export interface StepReactions {
  step: string;
  work: EventRef[];
  undo: EventRef[];
}

/**
 * What one event asks of a step's participant, for one saga: nothing (`act: false`), to act
 * now, or to count the event towards a join: the steps of a parallel group that run all
 * report before the step beside the group acts once. `members` are the names of the group's
 * steps that run for this saga, in step order; `member` is the one the event is from.
 */
export type StepReaction =
  | { act: false }
  | { act: true; join: null }
  | { act: true; join: { reaction: 'work' | 'undo'; member: string; members: string[] } };

const undoneAfter = (s: ChoreographyStepSpec) => [s.failed, s.compensated, s.compensationFailed];

/** The steps' groups in order: a step alone is a group of one (see `parallelGroupOf`). */
function groupsOf(steps: readonly ChoreographyStepSpec[]): number[][] {
  const groups: number[][] = [];
  for (let i = 0; i < steps.length;) {
    const { last } = parallelGroupOf(steps, i);
    groups.push(Array.from({ length: last - i + 1 }, (_, k) => i + k));
    i = last + 1;
  }
  return groups;
}

/** Whether some step of a group runs for every saga. */
const alwaysRuns = (steps: readonly ChoreographyStepSpec[], group: number[]) =>
  group.some((i) => !steps[i].optional);

/**
 * Who reacts to which event in a choreography, as the saga's step order implies it: step i
 * works on the success of step i−1 (the first on the start event) and undoes its work on the
 * failure, undo or failed undo of step i+1 (the last on the cancel event), and on its own undo
 * request. An optional step may not run, so the step after it also works on the success of
 * the step before it, back to the nearest step that always runs (or the start event), and the
 * step before it also undoes on the outcomes of the step after it, up to the nearest step that
 * always runs (or the cancel event); `stepReaction` then tells, for one saga, which of those
 * events it acts on. The steps of a parallel group react as one step would, each to the
 * events of every step of the groups around it, and each also undoes on the failure of any
 * other step of its group. A participant's `@EventHandler` lists must equal its entry here.
 */
export function choreographyTopology(spec: ChoreographySpec): StepReactions[] {
  const { steps } = spec;
  const groups = groupsOf(steps);
  return steps.map((step, i) => {
    const g = groups.findIndex((group) => group.includes(i));
    const work: EventRef[] = [];
    let j = g - 1;
    for (; j >= 0; j--) {
      work.unshift(...groups[j].map((k) => steps[k].succeeded));
      if (alwaysRuns(steps, groups[j])) break;
    }
    if (j < 0) work.unshift(spec.start);
    const undo: EventRef[] = [];
    let k = g + 1;
    for (; k < groups.length; k++) {
      undo.push(...groups[k].flatMap((m) => undoneAfter(steps[m])));
      if (alwaysRuns(steps, groups[k])) break;
    }
    if (k >= groups.length) undo.push(spec.cancel);
    const siblings = groups[g].filter((m) => m !== i).map((m) => steps[m].failed);
    return { step: step.name, work, undo: [...undo, ...siblings, step.compensationRequested] };
  });
}

/**
 * What an event of step `stepIndex`'s `choreographyTopology` entry asks of its participant,
 * for a saga whose steps run as `isActive` says (asked on the event's data): nothing unless
 * the step itself runs, and the event comes from the nearest group on that side whose steps
 * run for this saga (the start event counts as before the first step, the cancel event as
 * after the last). Otherwise the event is for a step that runs in between, and the
 * participant lets it pass, doing nothing. When two or more steps of the event's group run,
 * the event counts towards a join: the participant acts once it has counted each of them. A
 * failure of another step of the step's own group, and its own undo request, act at once.
 */
export function stepReaction(
  spec: ChoreographySpec,
  stepIndex: number,
  eventType: string,
  isActive: (stepIndex: number) => boolean,
): StepReaction {
  const none = { act: false } as const;
  const from = positionOf(spec, eventType);
  if (from === null || !isActive(stepIndex)) return none;
  const { steps } = spec;
  const own = parallelGroupOf(steps, stepIndex);
  if (from.index === stepIndex) return from.kind === 'requested' ? now() : none;
  if (from.index >= own.first && from.index <= own.last) {
    return from.kind === 'failed' && isActive(from.index) ? now() : none;
  }
  if (from.kind === 'requested') return none;
  const forward = from.index < own.first;
  if (forward !== (from.kind === 'succeeded' || from.kind === 'start')) return none;
  const theirs =
    from.kind === 'start' || from.kind === 'cancel'
      ? { first: from.index, last: from.index }
      : parallelGroupOf(steps, from.index);
  const [low, high] = forward ? [theirs.last, own.first] : [own.last, theirs.first];
  for (let k = low + 1; k < high; k++) if (isActive(k)) return none;
  if (from.kind === 'start' || from.kind === 'cancel') return now();
  const members: number[] = [];
  for (let m = theirs.first; m <= theirs.last; m++) if (isActive(m)) members.push(m);
  if (!members.includes(from.index)) return none;
  if (members.length === 1) return now();
  return {
    act: true,
    join: {
      reaction: forward ? 'work' : 'undo',
      member: steps[from.index].name,
      members: members.map((m) => steps[m].name),
    },
  };
}

/** Whether step `stepIndex`'s participant acts on an event, at once or through a join. */
export function stepActsOn(
  spec: ChoreographySpec,
  stepIndex: number,
  eventType: string,
  isActive: (stepIndex: number) => boolean,
): boolean {
  return stepReaction(spec, stepIndex, eventType, isActive).act;
}

const now = () => ({ act: true, join: null }) as const;

type EventKind = 'start' | 'cancel' | 'succeeded' | 'failed' | 'undone' | 'requested';

/** Where an event stands in the step order: its step, −1 for start, n for cancel; and what it says. */
function positionOf(
  spec: ChoreographySpec,
  eventType: string,
): { index: number; kind: EventKind } | null {
  if (eventType === spec.start.type) return { index: -1, kind: 'start' };
  if (eventType === spec.cancel.type) return { index: spec.steps.length, kind: 'cancel' };
  for (let index = 0; index < spec.steps.length; index++) {
    const s = spec.steps[index];
    if (s.succeeded.type === eventType) return { index, kind: 'succeeded' };
    if (s.failed.type === eventType) return { index, kind: 'failed' };
    if (s.compensationRequested.type === eventType) return { index, kind: 'requested' };
    if ([s.compensated, s.compensationFailed].some((e) => e.type === eventType)) {
      return { index, kind: 'undone' };
    }
  }
  return null;
}
