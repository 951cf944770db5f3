import { commandEndpoint } from '@app/saga-core';

export const FLIGHT_COMMANDS = 'flight.commands';

export interface ReserveFlight {
  bookingId: string;
  flightId: string;
  seats: number;
}

export interface FlightReserved {
  flightId: string;
  seats: number;
  /** seats × the flight's price, in whole currency units. */
  price: number;
}

export interface CancelFlight {
  bookingId: string;
}

export const FlightEndpoints = {
  reserve: commandEndpoint<ReserveFlight, FlightReserved>(FLIGHT_COMMANDS, 'flight.reserve'),
  cancel: commandEndpoint<CancelFlight>(FLIGHT_COMMANDS, 'flight.cancel'),
} as const;
