import { TerminalStepError } from '@app/saga-core';
import { TripErrorCode } from './trip-fault';

/**
 * A participant's business refusal (sold out, insufficient funds…), with the code the booking
 * shows: a terminal step error, so the kit answers it as the step's failure in both styles.
 */
export class TripRefusedError extends TerminalStepError {
  constructor(
    override readonly code: TripErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}
