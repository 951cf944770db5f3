import { TRIP_PARTICIPANTS } from '@app/trip-api';
import {
  BookingRequest,
  sampleBooking,
  seededDraw,
  TripParticipantName,
} from '../support/booking-request';
import { mulberry32 } from '../support/mulberry32';

const STEPS: readonly TripParticipantName[] = TRIP_PARTICIPANTS;

/**
 * An endless stream of small bookings: one seat, one night, one room, so the demo catalogue
 * lasts. With probability `failureRate` one of the steps, drawn evenly, is told to fail.
 */
export function bookingStream(seed: number, failureRate: number): () => BookingRequest {
  const random = mulberry32(seed);
  // Random items, each in the least quantity.
  const draw = { ...seededDraw(random), between: (min: number) => min };
  const { pick } = draw;
  return () => {
    const request = sampleBooking(pick(['cust-1', 'cust-2', 'cust-3', 'cust-4', 'cust-5']), draw);
    if (random() >= failureRate) return request;
    return { ...request, faults: { [pick(STEPS)]: 'fail' } };
  };
}
