import { SagaError } from './saga-error';

/** A queue the broker does not have: nothing can be moved to or from it. */
export class QueueNotFoundError extends SagaError {
  readonly code = 'QUEUE_NOT_FOUND';
}
