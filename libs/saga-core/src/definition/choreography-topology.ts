import { ChoreographySpec, ChoreographyStepSpec, EventRef } from './choreography-spec';

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

const undoneAfter = (s: ChoreographyStepSpec) => [s.failed, s.compensated, s.compensationFailed];

/**
 * Who reacts to which event in a choreography, as the saga's step order implies it: step i
 * works on the success of step i−1 (the first on the start event) and undoes its work on the
 * failure, undo or failed undo of step i+1 (the last on the cancel event), and on its own undo
 * request. An optional step may not run, so the step after it also works on the success of
 * the step before it, back to the nearest step that always runs (or the start event), and the
 * step before it also undoes on the outcomes of the step after it, up to the nearest step that
 * always runs (or the cancel event); `stepActsOn` then tells, for one saga, which of those
 * events it acts on. A participant's `@EventHandler` lists must equal its entry here.
 */
export function choreographyTopology(spec: ChoreographySpec): StepReactions[] {
  const { steps } = spec;
  return steps.map((step, i) => {
    const work: EventRef[] = [];
    let j = i - 1;
    for (; j >= 0; j--) {
      work.unshift(steps[j].succeeded);
      if (!steps[j].optional) break;
    }
    if (j < 0) work.unshift(spec.start);
    const undo: EventRef[] = [];
    let k = i + 1;
    for (; k < steps.length; k++) {
      undo.push(...undoneAfter(steps[k]));
      if (!steps[k].optional) break;
    }
    if (k >= steps.length) undo.push(spec.cancel);
    return { step: step.name, work, undo: [...undo, step.compensationRequested] };
  });
}

/**
 * Whether step `stepIndex`'s participant acts on an event of its `choreographyTopology` entry,
 * for a saga whose steps run as `isActive` says (asked on the event's data): only if the step
 * itself runs, and every step strictly between the event's step and it does not (the start
 * event counts as before the first step, the cancel event as after the last). Otherwise the
 * event is for the step that runs in between, and the participant lets it pass, doing
 * nothing. An event the step does not react to at all yields false.
 */
export function stepActsOn(
  spec: ChoreographySpec,
  stepIndex: number,
  eventType: string,
  isActive: (stepIndex: number) => boolean,
): boolean {
  const from = positionOf(spec, eventType);
  if (from === null || !isActive(stepIndex)) return false;
  const [low, high] = from < stepIndex ? [from, stepIndex] : [stepIndex, from];
  for (let k = low + 1; k < high; k++) if (isActive(k)) return false;
  return true;
}

/** Where an event stands in the step order: its step, −1 for start, n for cancel. */
function positionOf(spec: ChoreographySpec, eventType: string): number | null {
  if (eventType === spec.start.type) return -1;
  if (eventType === spec.cancel.type) return spec.steps.length;
  const index = spec.steps.findIndex((s) =>
    [s.succeeded, s.compensationRequested, ...undoneAfter(s)].some((e) => e.type === eventType),
  );
  return index < 0 ? null : index;
}
