import { ChoreographyDefinition } from '../choreography/choreography-definition';
import { ChoreographyStepSpec, EventRef } from '../definition/choreography-spec';
import {
  choreographyTopology,
  StepReaction,
  StepReactions,
  stepReaction,
} from '../definition/choreography-topology';
import { DEFAULT_COMPENSATION_RETRY, RetryPolicy } from '../definition/retry-policy';
import { SagaDefinition, StepHandlers } from '../definition/saga-definition';
import { parallelGroupOf, StepSpec } from '../definition/saga-spec';
import { DefinitionError } from '../errors/definition.error';
import { EventMessage } from '../transport/event-message';

/** A class the kit validates a request against (class-validator), and a type to inject. */
export type RequestClass = new () => object;

/**
 * One step of a saga, as the participant that runs it registers it with the kit: which saga
 * and step, and (for the choreographed run) how an event's payload reads as the saga's data.
 * Everything else (the commands, the events, who reacts to what, the requests and how the
 * result folds into the data) comes from the definitions.
 */
export interface SagaStepBinding<Data = unknown> {
  saga: SagaDefinition<Data>;
  /** The same saga on events alone; without it the step runs orchestrated only. */
  choreography?: ChoreographyDefinition<Data>;
  step: string;
  /** class-validator DTOs the requests must satisfy; a request that does not is refused. */
  requests?: { run?: RequestClass; undo?: RequestClass };
  /**
   * The saga's data carried by an event of the choreography, checked (throw a
   * `PoisonMessageError` for a payload that can never be right). Default: the payload as is.
   */
  dataOf?: (event: EventMessage) => Data;
  /** The data a failure or failed undo announces. Default: the data with `reason` set. */
  withReason?: (data: Data, reason: string) => Data;
}

/** The events one choreographed step reacts to and announces. */
export interface ResolvedStepEvents {
  /** Set the participant to work / to undo (see `choreographyTopology`). */
  reactions: StepReactions;
  succeeded: EventRef;
  failed: EventRef;
  compensated: EventRef;
  compensationFailed: EventRef;
  /** How often an undo is tried before it is announced as failed. */
  undoRetry: RetryPolicy;
  /**
   * The step is optional, or reacts past an optional neighbour: whether it acts on one of its
   * events depends on the saga the event carries (see `stepActsOn`).
   */
  beside: boolean;
}

/** A binding checked against its definitions, with what the adapters need at hand. */
export interface ResolvedStep<Data = unknown> {
  binding: SagaStepBinding<Data>;
  step: string;
  spec: StepSpec;
  handlers: StepHandlers<Data>;
  events: ResolvedStepEvents | null;
  dataOf(event: EventMessage): Data;
  withReason(data: Data, reason: string): Data;
  /**
   * Whether an event the step reacts to is for it, on the saga data it carries: false when
   * the step does not run for that data, or an optional step between the event's step and
   * this one does (see `stepActsOn`). Always true for a choreography without optional steps.
   */
  actsOn(eventType: string, data: Data): boolean;
  /** The same, and whether the event counts towards a join first (see `stepReaction`). */
  reactionTo(eventType: string, data: Data): StepReaction;
  /**
   * The data of a forward join's reports (by step name) as one: the first step's, with each
   * later step's result folded in by the choreography, in step order.
   */
  joined(arrived: Readonly<Record<string, unknown>>, members: readonly string[]): Data;
}

/** Checks that the step exists in both definitions, in the same place, optional in both or neither. */
export function resolveStep<Data>(binding: SagaStepBinding<Data>): ResolvedStep<Data> {
  const { saga, choreography, step } = binding;
  const index = saga.spec.steps.findIndex((s) => s.name === step);
  if (index < 0) {
    const steps = saga.spec.steps.map((s) => s.name).join(', ');
    throw new DefinitionError(`saga ${saga.spec.name} has no step ${step} (it has ${steps})`);
  }
  let events: ResolvedStepEvents | null = null;
  if (choreography) {
    const stepSpec = choreography.spec.steps[index] as ChoreographyStepSpec | undefined;
    if (stepSpec?.name !== step) {
      throw new DefinitionError(
        `choreography ${choreography.spec.name} does not have ${step} as step ${index + 1}, ` +
          `as saga ${saga.spec.name} does`,
      );
    }
    // The participants decide from the choreography's predicates: they must be the saga's.
    const steps = choreography.spec.steps;
    const differs = saga.spec.steps.find((s, i) => !s.optional !== !steps[i]?.optional);
    if (differs) {
      throw new DefinitionError(
        `step ${differs.name} is optional in only one of saga ${saga.spec.name} and ` +
          `choreography ${choreography.spec.name} (build it with stepsOf(definition, events))`,
      );
    }
    events = {
      reactions: choreographyTopology(choreography.spec)[index],
      // The topology reacts past an optional step to the groups on either side of it.
      beside: besideOptional(steps, index),
      succeeded: stepSpec.succeeded,
      failed: stepSpec.failed,
      compensated: stepSpec.compensated,
      compensationFailed: stepSpec.compensationFailed,
      undoRetry: stepSpec.compensationRetry ?? DEFAULT_COMPENSATION_RETRY,
    };
  }
  return {
    binding,
    step,
    spec: saga.spec.steps[index],
    handlers: saga.handlers[index],
    events,
    dataOf: binding.dataOf ?? ((event) => event.payload as Data),
    withReason: binding.withReason ?? ((data, reason) => ({ ...data, reason })),
    actsOn: (eventType, data) => reactionTo(eventType, data).act,
    reactionTo,
    joined: (arrived, members) => {
      if (!choreography) throw new Error(`${step} is bound without its choreography`);
      const steps = choreography.spec.steps;
      const [first, ...rest] = members;
      return rest.reduce(
        (data, member) =>
          choreography.handlers.onSucceeded(
            steps.findIndex((s) => s.name === member),
            data,
            arrived[member],
          ),
        arrived[first] as Data,
      );
    },
  };

  function reactionTo(eventType: string, data: Data): StepReaction {
    if (!choreography) return { act: true, join: null };
    return stepReaction(choreography.spec, index, eventType, (k) =>
      choreography.handlers.isActive(k, data),
    );
  }
}

/** Whether a step of the step's own group or of the groups either side of it is optional. */
function besideOptional(steps: readonly ChoreographyStepSpec[], index: number): boolean {
  const own = parallelGroupOf(steps, index);
  const first = own.first > 0 ? parallelGroupOf(steps, own.first - 1).first : own.first;
  const last = own.last + 1 < steps.length ? parallelGroupOf(steps, own.last + 1).last : own.last;
  return steps.slice(first, last + 1).some((s) => Boolean(s.optional));
}
