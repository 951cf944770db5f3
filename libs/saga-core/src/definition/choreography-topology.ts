import { ChoreographySpec, EventRef } from './choreography-spec';

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
 * Who reacts to which event in a choreography, as the saga's step order implies it: step i
 * works on the success of step i−1 (the first on the start event) and undoes its work on the
 * failure, undo or failed undo of step i+1 (the last on the cancel event), and on its own undo
 * request. A participant's `@EventHandler` lists must equal its entry here.
 */
export function choreographyTopology(spec: ChoreographySpec): StepReactions[] {
  return spec.steps.map((step, i) => {
    const before = spec.steps[i - 1];
    const after = spec.steps[i + 1];
    const undoneAfter = after ? [after.failed, after.compensated, after.compensationFailed] : [];
    return {
      step: step.name,
      work: [before ? before.succeeded : spec.start],
      undo: [...(after ? undoneAfter : [spec.cancel]), step.compensationRequested],
    };
  });
}
