import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { HotelCatalogueService } from './hotel-catalogue.service';
import { HotelReservationStatus } from './hotel-reservation.entity';

export interface HotelView {
  hotelId: string;
  roomsTotal: number;
  roomsAvailable: number;
  pricePerNight: number;
}

export interface HotelReservationView {
  bookingId: string;
  hotelId: string;
  rooms: number;
  nights: number;
  price: number;
  status: HotelReservationStatus;
}

@Controller()
export class HotelCatalogueController {
  constructor(private readonly catalogue: HotelCatalogueService) {}

  @Get('hotels')
  async hotels(): Promise<HotelView[]> {
    const hotels = await this.catalogue.hotels();
    return hotels.map(({ hotelId, roomsTotal, roomsAvailable, pricePerNight }) => ({
      hotelId,
      roomsTotal,
      roomsAvailable,
      pricePerNight,
    }));
  }

  @Get('reservations/:bookingId')
  async reservation(@Param('bookingId') bookingId: string): Promise<HotelReservationView> {
    const reservation = await this.catalogue.reservation(bookingId);
    // A tombstone (a cancel that came before any reservation) is bookkeeping, not a reservation.
    if (!reservation?.hotelId) {
      throw new NotFoundException(`No hotel reservation for booking ${bookingId}`);
    }
    const { hotelId, rooms, nights, price, status } = reservation;
    return { bookingId, hotelId, rooms, nights, price, status };
  }
}
