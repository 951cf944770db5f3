import { TripParticipant } from '@app/trip-api';

/** The trip's participants, as `TRIP_PARTICIPANTS` lists them. */
export type TripParticipantName = TripParticipant;

/** The body of `POST /bookings`, less its `mode`. */
export interface BookingRequest {
  customerId: string;
  flight: { flightId: string; seats: number };
  hotel: { hotelId: string; nights: number; rooms: number };
  faults?: Partial<Record<TripParticipantName, 'fail' | 'timeout' | 'fail-compensation'>>;
}
