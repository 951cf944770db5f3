import { STEP_FAULTS, StepFault, StepFaultCode } from '@app/saga-core';

/**
 * Faults a booking may ask a participant to inject, for that booking only: the kit's step
 * faults (`StepFault`), carried in the `x-saga-faults` header of the booking's messages.
 */
export const TripFault = StepFault;
export type TripFault = StepFault;

export const TRIP_FAULTS: readonly TripFault[] = STEP_FAULTS;

/** Stable refusal codes the participants reply with. */
export const TripErrorCode = {
  SOLD_OUT: 'SOLD_OUT',
  UNKNOWN_FLIGHT: 'UNKNOWN_FLIGHT',
  UNKNOWN_HOTEL: 'UNKNOWN_HOTEL',
  UNKNOWN_CUSTOMER: 'UNKNOWN_CUSTOMER',
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  ALREADY_CANCELLED: 'ALREADY_CANCELLED',
  ...StepFaultCode,
} as const;
export type TripErrorCode = (typeof TripErrorCode)[keyof typeof TripErrorCode];
