import type { EntityManager } from 'typeorm';

/** What a participant's domain code gets beside its request. */
export interface StepContext {
  /** The saga (the orchestrated saga's id, or the choreography's correlation id). */
  sagaId: string;
  /** The step of the saga definition this participant runs. */
  step: string;
  /** 1 on the first try, then 2, 3… (a new command, or the same event delivered again). */
  attempt: number;
  /**
   * The local transaction: the inbox row and the answer (reply or events) commit or roll back
   * with what the work writes here.
   */
  manager: EntityManager;
}

/**
 * The one domain port a participant implements for a step of a saga, whatever the style that
 * runs it: do the work, and undo it. The kit calls `run` for the step's command or for the
 * event that precedes it, and `undo` for its compensation or for an event that undoes it.
 *
 * - `run` is called again for the same saga after a lost answer: it must do the work once and
 *   answer the same. A business refusal throws a `TerminalStepError` (the saga compensates);
 *   any other error is retried.
 * - `undo` must be idempotent and accept an undo that arrives before the work (or without it):
 *   it then leaves a marker so the late work is refused (`UndoMarker` does both for a row of
 *   holdings per saga).
 */
export interface SagaStepParticipant<Request = unknown, Result = unknown, UndoRequest = unknown> {
  run(request: Request, ctx: StepContext): Promise<Result>;
  undo(request: UndoRequest, ctx: StepContext): Promise<void>;
}
