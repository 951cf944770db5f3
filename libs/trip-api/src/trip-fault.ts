import { STEP_FAULTS, StepFault, StepFaultCode } from '@app/saga-core';
import { TRIP_PARTICIPANTS, TRIP_REFUSAL_CODES, TripParticipant } from './trip-participants';

/**
 * Faults a booking may ask a participant to inject, for that booking only: the kit's step
 * faults (`StepFault`), carried in the `x-saga-faults` header of the booking's messages.
 */
export const TripFault = StepFault;
export type TripFault = StepFault;

export const TRIP_FAULTS: readonly TripFault[] = STEP_FAULTS;

/** The refusal codes of every participant (`TRIP_REFUSAL_CODES`), and the late undo's. */
type TripRefusalCode = (typeof TRIP_REFUSAL_CODES)[TripParticipant][number] | 'ALREADY_CANCELLED';

const TRIP_REFUSALS: readonly TripRefusalCode[] = [
  ...TRIP_PARTICIPANTS.flatMap((name) => TRIP_REFUSAL_CODES[name]),
  'ALREADY_CANCELLED',
];

/** Stable refusal codes the participants reply with, in saga order, then the kit's fault codes. */
export const TripErrorCode = {
  ...(Object.fromEntries(TRIP_REFUSALS.map((code) => [code, code])) as {
    readonly [C in TripRefusalCode]: C;
  }),
  ...StepFaultCode,
} as const;
export type TripErrorCode = (typeof TripErrorCode)[keyof typeof TripErrorCode];
