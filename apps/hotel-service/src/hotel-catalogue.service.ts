import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Hotel } from './hotel.entity';
import { HOTEL_CATALOGUE } from './hotel-catalogue';
import { HotelReservation } from './hotel-reservation.entity';

/** The catalogue and the reservations as the HTTP API shows them. */
@Injectable()
export class HotelCatalogueService implements OnModuleInit {
  constructor(private readonly dataSource: DataSource) {}

  /** Seeds the catalogue on first start; one statement, and hotels already there are kept. */
  async onModuleInit(): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(Hotel)
      .values(
        HOTEL_CATALOGUE.map(({ hotelId, rooms, pricePerNight }) => ({
          hotelId,
          roomsTotal: rooms,
          roomsAvailable: rooms,
          pricePerNight,
        })),
      )
      .orIgnore()
      .execute();
  }

  hotels(): Promise<Hotel[]> {
    return this.dataSource.getRepository(Hotel).find({ order: { hotelId: 'ASC' } });
  }

  reservation(bookingId: string): Promise<HotelReservation | null> {
    return this.dataSource.getRepository(HotelReservation).findOneBy({ bookingId });
  }
}
