import { SagaError } from './saga-error';

/** A start key reused with a different request: the caller must pick a new key. */
export class IdempotencyConflictError extends SagaError {
  readonly code = 'IDEMPOTENCY_CONFLICT';
}
