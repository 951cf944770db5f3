import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  UpdateDateColumn,
  ValueTransformer,
} from 'typeorm';

export const HotelReservationStatus = {
  /** The rooms are held for the booking. */
  RESERVED: 'RESERVED',
  /** Released, or cancelled before any reservation arrived (a tombstone: no hotel, 0 rooms). */
  CANCELLED: 'CANCELLED',
} as const;
export type HotelReservationStatus =
  (typeof HotelReservationStatus)[keyof typeof HotelReservationStatus];

/** node-postgres reads bigint as a string; prices stay far below 2^53. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number) => value,
  from: (value: string) => Number(value),
};

/** At most one per booking: the primary key is what makes reserve and cancel idempotent. */
@Entity({ name: 'hotel_reservations' })
export class HotelReservation {
  @PrimaryColumn({ name: 'booking_id', type: 'text' })
  bookingId!: string;

  /** Null for a tombstone. */
  @Column({ name: 'hotel_id', type: 'text', nullable: true })
  hotelId!: string | null;

  @Column({ type: 'integer' })
  rooms!: number;

  @Column({ type: 'integer' })
  nights!: number;

  /** nights × rooms × the nightly price when reserved (a long stay outgrows an integer). */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  price!: number;

  @Column({ type: 'text' })
  status!: HotelReservationStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
