import { SagaError } from './saga-error';

/** An action that the saga's current state does not allow (cancel an ended saga, …). */
export class SagaStateError extends SagaError {
  readonly code = 'INVALID_SAGA_STATE';
}
