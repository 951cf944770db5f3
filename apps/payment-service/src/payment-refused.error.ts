import { TripErrorCode } from '@app/trip-api';

/** A business refusal of a payment, with the code the booking will show. */
export class PaymentRefusedError extends Error {
  constructor(
    readonly code: TripErrorCode,
    message: string,
  ) {
    super(message);
    this.name = PaymentRefusedError.name;
  }
}
