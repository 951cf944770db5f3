import { SagaError } from './saga-error';

/** A message that can never be handled (malformed, unknown type): dead-letter it, do not retry. */
export class PoisonMessageError extends SagaError {
  readonly code = 'POISON_MESSAGE';
}
