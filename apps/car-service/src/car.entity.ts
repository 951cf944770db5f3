import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A class of the fleet and its cars still free. */
@Entity({ name: 'cars' })
export class Car {
  @PrimaryColumn({ name: 'car_class', type: 'text' })
  carClass!: string;

  @Column({ name: 'cars_total', type: 'integer' })
  carsTotal!: number;

  @Column({ name: 'cars_available', type: 'integer' })
  carsAvailable!: number;

  /** Per car and day, in whole currency units. */
  @Column({ name: 'price_per_day', type: 'integer' })
  pricePerDay!: number;
}
