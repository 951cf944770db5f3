import { SagaError } from './saga-error';

/**
 * A participant's business refusal (sold out, insufficient funds): the step fails for good and
 * the saga compensates. Retrying cannot help, unlike an infrastructure error.
 */
export class TerminalStepError extends SagaError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
