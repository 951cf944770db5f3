import { RetryPolicy } from './retry-policy';

/** An event type as a choreography spec names it: its exchange and its name. */
export interface EventRef {
  exchange: string;
  type: string;
}

/**
 * What the tracker watches for one step: the events that say how it went, and the one it
 * publishes itself to ask for the step's undo when the undo chain stalls on it.
 */
export interface ChoreographyStepSpec {
  name: string;
  /**
   * How long the tracker waits for this step's outcome before the saga is cancelled, and,
   * while the saga is compensating, for each try of its undo before that try counts as failed.
   */
  timeoutMs: number;
  succeeded: EventRef;
  failed: EventRef;
  compensated: EventRef;
  compensationFailed: EventRef;
  /**
   * The per-step undo request: the participant undoes the step (idempotently: it may already
   * have) and answers with `compensated` or `compensationFailed`.
   */
  compensationRequested: EventRef;
  /** How often the tracker asks for the undo, and how far apart, before it gives it up. */
  compensationRetry: RetryPolicy;
  /**
   * Set (and only then present) when the step runs only for some data: the tracker decides
   * it once, at the start; the participants after and before it also react to the events
   * around it (see `choreographyTopology`).
   */
  optional?: true;
  /**
   * Set (and only then present) when the step starts together with the step before it, as
   * the saga's `inParallel` steps do: consecutive such steps and the one they follow form a
   * parallel group (`parallelGroupOf`). Each step of a group works on the events the group's
   * first step works on; the step after the group works once every step of it that runs has
   * succeeded; a failure of one undoes the others; the step before the group undoes once
   * every step of it has reported its undo (see `choreographyTopology`).
   */
  parallel?: true;
}

/**
 * A choreographed saga as persisted. Nothing here sends commands: the participants react to
 * each other's events; the spec says which events move the saga, so the orchestrator can follow
 * (project) it, and which events it publishes: to start it, to cancel it when it stalls, and to
 * ask a step for its undo again when the undo chain stalls.
 */
export interface ChoreographySpec {
  style: 'choreography';
  name: string;
  version: number;
  start: EventRef;
  cancel: EventRef;
  steps: ChoreographyStepSpec[];
}
