import { BookingRequest, TripParticipantName } from '../support/booking-request';
import { mulberry32 } from '../support/mulberry32';

export { mulberry32 } from '../support/mulberry32';

/** What a booking is meant to go through; failures are injected through the request's `faults`. */
export const SCENARIOS = [
  'happy',
  'flight-fail',
  'hotel-fail',
  'payment-fail',
  'hotel-timeout',
  'payment-timeout',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export type { BookingRequest, TripParticipantName } from '../support/booking-request';

export interface PlannedBooking {
  index: number;
  scenario: Scenario;
  request: BookingRequest;
}

const FAILURES: { scenario: Scenario; at: TripParticipantName; fault: 'fail' | 'timeout' }[] = [
  { scenario: 'flight-fail', at: 'flight', fault: 'fail' },
  { scenario: 'hotel-fail', at: 'hotel', fault: 'fail' },
  { scenario: 'payment-fail', at: 'payment', fault: 'fail' },
  { scenario: 'hotel-timeout', at: 'hotel', fault: 'timeout' },
  { scenario: 'payment-timeout', at: 'payment', fault: 'timeout' },
];

/**
 * The bookings both modes run, in order: each is happy or, with probability `failureRate`, one
 * of the five failures, drawn evenly. Stock and balances are ample, so no refusal but the
 * injected ones.
 */
export function buildWorkload(count: number, failureRate: number, seed: number): PlannedBooking[] {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const between = (min: number, max: number): number =>
    min + Math.floor(random() * (max - min + 1));
  return Array.from({ length: count }, (_, index) => {
    const request: BookingRequest = {
      customerId: `cust-${between(1, 5)}`,
      flight: { flightId: pick(['FL-100', 'FL-200']), seats: between(1, 3) },
      hotel: { hotelId: pick(['HT-200', 'HT-300']), nights: between(1, 3), rooms: between(1, 2) },
    };
    if (random() >= failureRate) return { index, scenario: 'happy', request };
    const failure = pick(FAILURES);
    return {
      index,
      scenario: failure.scenario,
      request: { ...request, faults: { [failure.at]: failure.fault } },
    };
  });
}
