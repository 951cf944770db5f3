import { SagaSpec } from './saga-spec';

/** The code half of a step: how its commands are built and how its reply updates the data. */
export interface StepHandlers<Data> {
  buildCommand(data: Data): unknown;
  onReply?(data: Data, reply: unknown): Data;
  buildCompensation?(data: Data): unknown;
}

/**
 * A built saga definition: the serialisable spec (stored and versioned in the database) and
 * the handlers that the spec cannot hold. Build it with `defineSaga()`.
 */
export interface SagaDefinition<Data = unknown> {
  readonly spec: SagaSpec;
  readonly handlers: readonly StepHandlers<Data>[];
}

/** The key a definition is registered and pinned under. */
export function definitionKey(name: string, version: number): string {
  return `${name}@${version}`;
}
