import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UNREADABLE_REQUEST } from '@app/saga-core';
import { HotelViewDto } from './dto/hotel-view.dto';
import { HotelReservationViewDto } from './dto/hotel-reservation-view.dto';
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
  hotelId: string;
  rooms: number;
  nights: number;
  price: number;
  status: HotelReservationStatus;
}

@ApiTags('hotels')
@Controller()
export class HotelCatalogueController {
  constructor(private readonly catalogue: HotelCatalogueService) {}

  @Get('hotels')
  @ApiOperation({
    operationId: 'listHotels',
    summary: 'The hotel catalogue',
    description: 'Every hotel with its rooms and nightly price',
  })
  @ApiOkResponse({ description: 'The hotels', type: [HotelViewDto] })
  @ApiErrors(UNREADABLE_REQUEST)
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
  @ApiOperation({
    operationId: 'getHotelReservation',
    summary: "A booking's hotel reservation",
    description:
      'Its rooms, nights and status; 404 when none was made, including when a cancellation came first',
  })
  @ApiOkResponse({ description: 'The reservation', type: HotelReservationViewDto })
  @ApiErrors({ ...UNREADABLE_REQUEST, 404: 'No hotel reservation for this booking' })
  async reservation(
    @Param('bookingId', BOOKING_ID) bookingId: string,
  ): Promise<HotelReservationView> {
    const reservation = await this.catalogue.reservation(bookingId);
    // A tombstone (a cancel that came before any reservation) is bookkeeping, not a reservation.
    if (!reservation?.hotelId) {
      throw new NotFoundException(`No hotel reservation for booking ${bookingId}`);
    }
    const { hotelId, rooms, nights, price, status } = reservation;
    return { bookingId, hotelId, rooms, nights, price, status };
  }
}
