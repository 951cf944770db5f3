import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { HotelCatalogueService } from './hotel-catalogue.service';
import { HotelReservationStatus } from './hotel-reservation.entity';
import { SafeTextPipe } from '@app/saga-core';

/** A booking id with what text may not hold is a 400, not a failed query. */
const BOOKING_ID = new SafeTextPipe({ name: 'bookingId' });

export interface HotelView {
  hotelId: string;
  roomsTotal: number;
  roomsAvailable: number;
  pricePerNight: number;
}

export interface HotelReservationView {
  bookingId: string;
  /** Null for a cancellation that arrived before any reservation. */
  hotelId: string | null;
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
  async reservation(
    @Param('bookingId', BOOKING_ID) bookingId: string,
  ): Promise<HotelReservationView> {
    const reservation = await this.catalogue.reservation(bookingId);
    if (!reservation) throw new NotFoundException(`No hotel reservation for booking ${bookingId}`);
    const { hotelId, rooms, nights, price, status } = reservation;
    return { bookingId, hotelId, rooms, nights, price, status };
  }
}
