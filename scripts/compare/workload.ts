import { TRIP_PARTICIPANTS } from '@app/trip-api';
import {
  BookingRequest,
  sampleBooking,
  seededDraw,
  TripParticipantName,
} from '../support/booking-request';
import { mulberry32 } from '../support/mulberry32';

export { mulberry32 } from '../support/mulberry32';

export type Scenario = 'happy' | `${TripParticipantName}-${'fail' | 'timeout'}`;

export type { BookingRequest, TripParticipantName } from '../support/booking-request';

export interface PlannedBooking {
  index: number;
  scenario: Scenario;
  request: BookingRequest;
}

/**
 * The failures injected through the request's `faults`: each participant refusing its step,
 * and each but the first doing its work with the answer lost (a first step that times out
 * has nothing before it to undo, so it is the same story as its refusal).
 */
const FAILURES: { scenario: Scenario; at: TripParticipantName; fault: 'fail' | 'timeout' }[] = [
  ...TRIP_PARTICIPANTS.map((at) => ({
    scenario: `${at}-fail` as const,
    at,
    fault: 'fail' as const,
  })),
  ...TRIP_PARTICIPANTS.slice(1).map((at) => ({
    scenario: `${at}-timeout` as const,
    at,
    fault: 'timeout' as const,
  })),
];

/** What a booking is meant to go through, in the order the reports list them. */
export const SCENARIOS: readonly Scenario[] = ['happy', ...FAILURES.map((f) => f.scenario)];

/** The failure of the last step, whose undo runs back through every step before it. */
export const LAST_STEP_FAILS: Scenario = `${TRIP_PARTICIPANTS[TRIP_PARTICIPANTS.length - 1]}-fail`;

/** The faults a scenario asks for. */
export function faultsOf(scenario: Scenario): BookingRequest['faults'] {
  const failure = FAILURES.find((f) => f.scenario === scenario);
  return failure ? { [failure.at]: failure.fault } : undefined;
}

/**
 * The bookings both modes run, in order: each is happy or, with probability `failureRate`, one
 * of the failures, drawn evenly. Stock and balances are ample, so no refusal but the
 * injected ones.
 */
export function buildWorkload(count: number, failureRate: number, seed: number): PlannedBooking[] {
  const random = mulberry32(seed);
  const draw = seededDraw(random);
  return Array.from({ length: count }, (_, index) => {
    const request = sampleBooking(`cust-${draw.between(1, 5)}`, draw);
    if (random() >= failureRate) return { index, scenario: 'happy', request };
    const failure = draw.pick(FAILURES);
    return {
      index,
      scenario: failure.scenario,
      request: { ...request, faults: { [failure.at]: failure.fault } },
    };
  });
}
