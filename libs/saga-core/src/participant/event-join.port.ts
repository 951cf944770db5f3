/**
 * One event counted towards a join (see `StepReaction`): the step beside a parallel group
 * acts once, when the last of the group's steps that run has reported, whatever order their
 * events come in.
 */
export interface JoinArrival {
  sagaId: string;
  /** The step that acts once the join is complete. */
  step: string;
  reaction: 'work' | 'undo';
  /** The step the event is from, and the steps that must all have reported. */
  member: string;
  members: readonly string[];
  /** The saga's data as the event carries it. */
  data: unknown;
}

/**
 * What counting one report found: each member's data, by step name, when this report
 * completed the join; null while reports are missing, for a report already counted, and for
 * any report after the join completed.
 */
export type JoinOutcome = Record<string, unknown> | null;
