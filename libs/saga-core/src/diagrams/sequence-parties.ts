import { ChoreographySpec } from '../definition/choreography-spec';
import { PersistedSpec } from '../persistence/saga-store.port';

/** Who a sequence diagram draws, and who publishes and reacts to each choreographed event. */
export interface SequenceParties {
  /** Left to right: whoever started the saga, the engine, then one lifeline per step. */
  readonly lifelines: readonly string[];
  readonly client: string;
  readonly engine: string;
  /** The step whose participant publishes the event, if the definition names it. */
  publisherOf(eventType: string): string | undefined;
  /** The lifeline that reacts to the event: a step, or the engine when no step does. */
  reactorOf(eventType: string): string;
  /** What the event says: work done, a failure, or an undo (asked for or done). */
  styleOf(eventType: string): EventStyle;
}

export type EventStyle = 'forward' | 'failure' | 'compensation';

export interface SequencePartyNames {
  /** Default `client`. */
  client?: string;
  /** Default `engine`; an app passes its service name. */
  engine?: string;
}

/**
 * The parties of a saga's diagram, from its stored definition. A choreography's reactions
 * follow from the order of its steps: the start event is taken up by the first step; a step's
 * success by the next one; its failure, its undo and a failed undo by the one before it, which
 * undoes its own work in turn; the cancel event by the last step, from which the undo runs
 * back. An event no step reacts to ends at the engine, which follows every one of them.
 *
 * `runSteps` are the steps of the run drawn (its visible steps): an optional step it does not
 * have gets no lifeline, and its neighbours react to each other past it. Without a spec they
 * are the lifelines.
 */
export function sequenceParties(
  spec: PersistedSpec | null,
  names: SequencePartyNames = {},
  runSteps: readonly string[] = [],
): SequenceParties {
  const client = names.client ?? 'client';
  const engine = names.engine ?? 'engine';
  const applies = (name: string) => runSteps.length === 0 || runSteps.includes(name);
  const steps = spec ? spec.steps.map((s) => s.name).filter(applies) : [...runSteps];
  const publishers = new Map<string, string>();
  const reactors = new Map<string, string>();
  const styles = new Map<string, EventStyle>();
  if (spec && 'style' in spec && spec.style === 'choreography') {
    const run = { ...spec, steps: spec.steps.filter((s) => applies(s.name)) };
    reactionsOf(run, engine, { publishers, reactors, styles });
  }
  return {
    lifelines: [client, engine, ...steps],
    client,
    engine,
    publisherOf: (type) => publishers.get(type),
    reactorOf: (type) => reactors.get(type) ?? engine,
    styleOf: (type) => styles.get(type) ?? 'forward',
  };
}

interface Reactions {
  publishers: Map<string, string>;
  reactors: Map<string, string>;
  styles: Map<string, EventStyle>;
}

function reactionsOf(spec: ChoreographySpec, engine: string, into: Reactions): void {
  const { publishers, reactors, styles } = into;
  const names = spec.steps.map((s) => s.name);
  const at = (index: number) => names[index] ?? engine;
  publishers.set(spec.start.type, engine);
  publishers.set(spec.cancel.type, engine);
  reactors.set(spec.start.type, at(0));
  reactors.set(spec.cancel.type, at(names.length - 1));
  styles.set(spec.cancel.type, 'compensation');
  spec.steps.forEach((step, i) => {
    for (const event of [step.succeeded, step.failed, step.compensated, step.compensationFailed]) {
      publishers.set(event.type, step.name);
    }
    reactors.set(step.succeeded.type, at(i + 1));
    reactors.set(step.failed.type, at(i - 1));
    reactors.set(step.compensated.type, at(i - 1));
    reactors.set(step.compensationFailed.type, at(i - 1));
    styles.set(step.failed.type, 'failure');
    styles.set(step.compensated.type, 'compensation');
    styles.set(step.compensationFailed.type, 'failure');
    // The engine asking a step again for its undo (sagas stored before it had none).
    if (step.compensationRequested) {
      publishers.set(step.compensationRequested.type, engine);
      reactors.set(step.compensationRequested.type, step.name);
      styles.set(step.compensationRequested.type, 'compensation');
    }
  });
}
