import { TripErrorCode } from './trip-fault';

/** A participant's business refusal (sold out, insufficient funds…), with the code the booking shows. */
export class TripRefusedError extends Error {
  constructor(
    readonly code: TripErrorCode,
    message: string,
  ) {
    super(message);
    this.name = TripRefusedError.name;
  }
}
