import { commandEndpoint } from '@app/saga-core';

export const HOTEL_COMMANDS = 'hotel.commands';

export interface ReserveHotel {
  bookingId: string;
  hotelId: string;
  nights: number;
  rooms: number;
}

export interface HotelReserved {
  hotelId: string;
  rooms: number;
  nights: number;
  /** nights × rooms × the nightly price. */
  price: number;
}

export interface CancelHotel {
  bookingId: string;
}

export const HotelEndpoints = {
  reserve: commandEndpoint<ReserveHotel, HotelReserved>(HOTEL_COMMANDS, 'hotel.reserve'),
  cancel: commandEndpoint<CancelHotel>(HOTEL_COMMANDS, 'hotel.cancel'),
} as const;
