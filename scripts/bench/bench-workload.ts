import { TRIP_PARTICIPANTS } from '@app/trip-api';
import { BookingRequest, TripParticipantName } from '../support/booking-request';
import { mulberry32 } from '../support/mulberry32';

const STEPS: readonly TripParticipantName[] = TRIP_PARTICIPANTS;

/**
 * An endless stream of small bookings: one seat, one night, one room, so the demo catalogue
 * lasts. With probability `failureRate` one of the three steps, drawn evenly, is told to fail.
 */
export function bookingStream(seed: number, failureRate: number): () => BookingRequest {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  return () => {
    const request: BookingRequest = {
      customerId: pick(['cust-1', 'cust-2', 'cust-3', 'cust-4', 'cust-5']),
      flight: { flightId: pick(['FL-100', 'FL-200']), seats: 1 },
      hotel: { hotelId: pick(['HT-200', 'HT-300']), nights: 1, rooms: 1 },
    };
    if (random() >= failureRate) return request;
    return { ...request, faults: { [pick(STEPS)]: 'fail' } };
  };
}
