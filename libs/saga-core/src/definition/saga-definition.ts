import { SagaSpec } from './saga-spec';

/** The code half of a step: how its commands are built and how its reply updates the data. */
export interface StepHandlers<Data> {
  buildCommand(data: Data): unknown;
  onReply?(data: Data, reply: unknown): Data;
  buildCompensation?(data: Data): unknown;
  /**
   * Whether the step runs for this saga: asked once, on the data the saga starts with. It must
   * read only fields no step changes, since a choreography's participants ask it again on the
   * data each event carries. Absent: the step always runs.
   */
  onlyIf?(data: Data): boolean;
}

/**
 * A built saga definition: the serialisable spec (stored and versioned in the database) and
 * the handlers that the spec cannot hold. Build it with `defineSaga()`.
 */
export interface SagaDefinition<Data = unknown> {
  readonly spec: SagaSpec;
  readonly handlers: readonly StepHandlers<Data>[];
}

/**
 * Which steps run for a saga started on `data`, in step order: those without a predicate,
 * and those whose `onlyIf` holds.
 */
export function activeSteps<Data>(definition: SagaDefinition<Data>, data: Data): boolean[] {
  return definition.handlers.map((h) => isStepActive(h, data));
}

/** Whether one step runs for `data` (see `StepHandlers.onlyIf`). */
export function isStepActive<Data>(handlers: StepHandlers<Data>, data: Data): boolean {
  return handlers.onlyIf ? handlers.onlyIf(data) : true;
}

/** The key a definition is registered and pinned under. */
export function definitionKey(name: string, version: number): string {
  return `${name}@${version}`;
}
