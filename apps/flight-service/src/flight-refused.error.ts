import { TripErrorCode } from '@app/trip-api';

/** A business refusal of a flight reservation, with the code the booking will show. */
export class FlightRefusedError extends Error {
  constructor(
    readonly code: TripErrorCode,
    message: string,
  ) {
    super(message);
    this.name = FlightRefusedError.name;
  }
}
