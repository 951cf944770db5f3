import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A flight of the catalogue and its remaining seats. */
@Entity({ name: 'flights' })
export class Flight {
  @PrimaryColumn({ name: 'flight_id', type: 'text' })
  flightId!: string;

  @Column({ name: 'seats_total', type: 'integer' })
  seatsTotal!: number;

  @Column({ name: 'seats_available', type: 'integer' })
  seatsAvailable!: number;

  /** Per seat, in whole currency units. */
  @Column({ type: 'integer' })
  price!: number;
}
