import { TRIP_PARTICIPANTS } from '@app/trip-api';
import { BookingMode } from '../compare/compare.options';
import { BookingRequest, mulberry32, TripParticipantName } from '../compare/workload';
import { InjectedFault, sampleBooking, seededDraw } from '../support/booking-request';

const PARTICIPANTS: readonly TripParticipantName[] = TRIP_PARTICIPANTS;
const FAULTS: readonly InjectedFault[] = ['fail', 'timeout', 'fail-compensation'];

export interface ChaosBooking {
  index: number;
  mode: BookingMode;
  request: BookingRequest;
  /** Faults this booking carries, e.g. `hotel:timeout`. */
  faults: string[];
}

/**
 * The bookings of a run: each in either mode, with ample stock, and with probability
 * `faultRate` one or two of the participants told to fail, time out or fail its compensation.
 * One seed gives the same bookings on any machine.
 */
export function buildChaosWorkload(count: number, faultRate: number, seed: number): ChaosBooking[] {
  const random = mulberry32(seed);
  const draw = seededDraw(random);
  const { pick, between } = draw;
  return Array.from({ length: count }, (_, index) => {
    const mode: BookingMode = random() < 0.5 ? 'orchestrated' : 'choreographed';
    const request = sampleBooking(`cust-${between(1, 5)}`, draw);
    if (random() >= faultRate) return { index, mode, request, faults: [] };
    const faults: BookingRequest['faults'] = {};
    for (let n = between(1, 2); n > 0; n--) faults[pick(PARTICIPANTS)] = pick(FAULTS);
    return {
      index,
      mode,
      request: { ...request, faults },
      faults: Object.entries(faults).map(([at, fault]) => `${at}:${fault}`),
    };
  });
}
