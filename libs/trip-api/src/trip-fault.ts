/** Faults a booking may ask a participant to inject, for that booking only. */
export const TripFault = {
  /** The participant refuses the step. */
  FAIL: 'fail',
  /** The participant does the work, but its answer never arrives. */
  TIMEOUT: 'timeout',
  /** The participant's compensation keeps failing. */
  FAIL_COMPENSATION: 'fail-compensation',
} as const;
export type TripFault = (typeof TripFault)[keyof typeof TripFault];

export const TRIP_FAULTS: readonly TripFault[] = Object.values(TripFault);

/** Stable refusal codes the participants reply with. */
export const TripErrorCode = {
  SOLD_OUT: 'SOLD_OUT',
  UNKNOWN_FLIGHT: 'UNKNOWN_FLIGHT',
  UNKNOWN_HOTEL: 'UNKNOWN_HOTEL',
  UNKNOWN_CUSTOMER: 'UNKNOWN_CUSTOMER',
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  ALREADY_CANCELLED: 'ALREADY_CANCELLED',
  INJECTED_FAILURE: 'INJECTED_FAILURE',
  INJECTED_COMPENSATION_FAILURE: 'INJECTED_COMPENSATION_FAILURE',
} as const;
export type TripErrorCode = (typeof TripErrorCode)[keyof typeof TripErrorCode];
