import { TripFault } from './trip-fault';
import { TripParticipant } from './trip-participants';

/**
 * A trip booking as both styles carry it: the orchestrated saga keeps it as its data, and every
 * choreographed event carries it whole (each service adds what it priced), so no service has
 * to ask another for anything.
 */
export interface TripBooking {
  bookingId: string;
  customerId: string;
  flight: { flightId: string; seats: number };
  hotel: { hotelId: string; nights: number; rooms: number };
  /**
   * The faults asked for, kept readable for bookings started before they moved to the
   * `x-saga-faults` header (the saga's `faults` label); new bookings leave it out.
   */
  faults?: Partial<Record<TripParticipant, TripFault>>;
  flightPrice?: number;
  hotelPrice?: number;
  /** Why the booking is being undone, on failure and cancellation events. */
  reason?: string;
}
