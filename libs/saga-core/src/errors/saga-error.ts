/** Base of every error the engine raises: a stable string `code` that can cross processes. */
export abstract class SagaError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
