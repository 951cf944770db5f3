/** An event type as a choreography spec names it: its exchange and its name. */
export interface EventRef {
  exchange: string;
  type: string;
}

/** What the tracker watches for one step: the events that say how it went. */
export interface ChoreographyStepSpec {
  name: string;
  /** How long the previous event may wait for this step's outcome before the saga is cancelled. */
  timeoutMs: number;
  succeeded: EventRef;
  failed: EventRef;
  compensated: EventRef;
  compensationFailed: EventRef;
}

/**
 * A choreographed saga as persisted. Nothing here sends commands: the participants react to
 * each other's events; the spec says which events move the saga, so the orchestrator can follow
 * (project) it, and which event it publishes to start it or to cancel it when it stalls.
 */
export interface ChoreographySpec {
  style: 'choreography';
  name: string;
  version: number;
  start: EventRef;
  cancel: EventRef;
  steps: ChoreographyStepSpec[];
}
