import { SagaError } from './saga-error';

/** A saga definition that cannot run: empty, duplicate step names, a misplaced pivot, or unknown. */
export class DefinitionError extends SagaError {
  readonly code: string = 'INVALID_DEFINITION';
}
