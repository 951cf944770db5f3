import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  UpdateDateColumn,
  ValueTransformer,
} from 'typeorm';

export const CarRentalStatus = {
  /** A car of the class is held for the booking. */
  RESERVED: 'RESERVED',
  /** Released, or cancelled before any rental arrived (a tombstone: no class, 0 days). */
  CANCELLED: 'CANCELLED',
} as const;
export type CarRentalStatus = (typeof CarRentalStatus)[keyof typeof CarRentalStatus];

/** node-postgres reads bigint as a string; prices stay far below 2^53. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number) => value,
  from: (value: string) => Number(value),
};

/** At most one per booking: the primary key is what makes reserve and cancel idempotent. */
@Entity({ name: 'car_rentals' })
export class CarRental {
  @PrimaryColumn({ name: 'booking_id', type: 'text' })
  bookingId!: string;

  /** Null for a tombstone. */
  @Column({ name: 'car_class', type: 'text', nullable: true })
  carClass!: string | null;

  @Column({ type: 'integer' })
  days!: number;

  /** days × the daily price when reserved. */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  price!: number;

  @Column({ type: 'text' })
  status!: CarRentalStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
