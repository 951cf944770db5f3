import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const FlightReservationStatus = {
  /** The seats are held for the booking. */
  RESERVED: 'RESERVED',
  /** Released, or cancelled before any reservation arrived (a tombstone: no flight, 0 seats). */
  CANCELLED: 'CANCELLED',
} as const;
export type FlightReservationStatus =
  (typeof FlightReservationStatus)[keyof typeof FlightReservationStatus];

/** At most one per booking: the primary key is what makes reserve and cancel idempotent. */
@Entity({ name: 'flight_reservations' })
export class FlightReservation {
  @PrimaryColumn({ name: 'booking_id', type: 'text' })
  bookingId!: string;

  /** Null for a tombstone. */
  @Column({ name: 'flight_id', type: 'text', nullable: true })
  flightId!: string | null;

  @Column({ type: 'integer' })
  seats!: number;

  /** seats × the flight's price when reserved. */
  @Column({ type: 'integer' })
  price!: number;

  @Column({ type: 'text' })
  status!: FlightReservationStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
