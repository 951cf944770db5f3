import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Car } from './car.entity';
import { CAR_FLEET } from './car-fleet';
import { CarRental } from './car-rental.entity';

/** The fleet and the rentals as the HTTP API shows them. */
@Injectable()
export class CarFleetService implements OnModuleInit {
  constructor(private readonly dataSource: DataSource) {}

  /** Seeds the fleet on first start; one statement, and classes already there are kept. */
  async onModuleInit(): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(Car)
      .values(
        CAR_FLEET.map(({ carClass, cars, pricePerDay }) => ({
          carClass,
          carsTotal: cars,
          carsAvailable: cars,
          pricePerDay,
        })),
      )
      .orIgnore()
      .execute();
  }

  cars(): Promise<Car[]> {
    return this.dataSource.getRepository(Car).find({ order: { carClass: 'ASC' } });
  }

  rental(bookingId: string): Promise<CarRental | null> {
    return this.dataSource.getRepository(CarRental).findOneBy({ bookingId });
  }
}
