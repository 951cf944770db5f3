import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Flight } from './flight.entity';
import { FLIGHT_CATALOGUE } from './flight-catalogue';
import { FlightReservation } from './flight-reservation.entity';

/** The catalogue and the reservations as the HTTP API shows them. */
@Injectable()
export class FlightCatalogueService implements OnModuleInit {
  constructor(private readonly dataSource: DataSource) {}

  /** Seeds the catalogue on first start; one statement, and flights already there are kept. */
  async onModuleInit(): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(Flight)
      .values(
        FLIGHT_CATALOGUE.map(({ flightId, seats, price }) => ({
          flightId,
          seatsTotal: seats,
          seatsAvailable: seats,
          price,
        })),
      )
      .orIgnore()
      .execute();
  }

  flights(): Promise<Flight[]> {
    return this.dataSource.getRepository(Flight).find({ order: { flightId: 'ASC' } });
  }

  reservation(bookingId: string): Promise<FlightReservation | null> {
    return this.dataSource.getRepository(FlightReservation).findOneBy({ bookingId });
  }
}
