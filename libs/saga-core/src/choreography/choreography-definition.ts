import { ChoreographySpec } from '../definition/choreography-spec';

/** The code half of a choreography: the payloads it publishes and how events fold into its data. */
export interface ChoreographyHandlers<Data> {
  startPayload(data: Data): unknown;
  cancelPayload(data: Data, reason: string): unknown;
  /** Folds step `stepIndex`'s success event payload into the saga's data. */
  onSucceeded(stepIndex: number, data: Data, payload: unknown): Data;
  /**
   * Whether step `stepIndex` runs for a saga with this data (its `onlyIf`; true for a step
   * without one). The tracker asks it at the start, a participant on each event's data.
   */
  isActive(stepIndex: number, data: Data): boolean;
}

/** A built choreography definition: a serialisable spec, stored and versioned, and its handlers. */
export interface ChoreographyDefinition<Data = unknown> {
  readonly spec: ChoreographySpec;
  readonly handlers: ChoreographyHandlers<Data>;
}

export function isChoreography(definition: { spec: object }): definition is ChoreographyDefinition {
  return (definition.spec as Partial<ChoreographySpec>).style === 'choreography';
}
