import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A hotel of the catalogue and its rooms still free. */
@Entity({ name: 'hotels' })
export class Hotel {
  @PrimaryColumn({ name: 'hotel_id', type: 'text' })
  hotelId!: string;

  @Column({ name: 'rooms_total', type: 'integer' })
  roomsTotal!: number;

  @Column({ name: 'rooms_available', type: 'integer' })
  roomsAvailable!: number;

  /** Per room and night, in whole currency units. */
  @Column({ name: 'price_per_night', type: 'integer' })
  pricePerNight!: number;
}
