/** The orchestrator does not serve a mode (it answered 501): that mode cannot be compared. */
export class ModeUnavailableError extends Error {
  constructor(
    readonly mode: string,
    detail: string,
  ) {
    super(`the orchestrator does not serve mode ${mode}: ${detail}`);
    this.name = 'ModeUnavailableError';
  }
}
