import { TripErrorCode } from '@app/trip-api';

/** A business refusal of a hotel reservation, with the code the booking will show. */
export class HotelRefusedError extends Error {
  constructor(
    readonly code: TripErrorCode,
    message: string,
  ) {
    super(message);
    this.name = HotelRefusedError.name;
  }
}
