import { SagaError } from './saga-error';

/** A transient failure of a step or compensation: the engine may try again after a backoff. */
export class RetryableStepError extends SagaError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
