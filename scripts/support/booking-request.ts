export type TripParticipantName = 'flight' | 'hotel' | 'payment';

/** The body of `POST /bookings`, less its `mode`. */
export interface BookingRequest {
  customerId: string;
  flight: { flightId: string; seats: number };
  hotel: { hotelId: string; nights: number; rooms: number };
  faults?: Partial<Record<TripParticipantName, 'fail' | 'timeout' | 'fail-compensation'>>;
}
