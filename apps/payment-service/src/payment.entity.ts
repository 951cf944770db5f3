import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintAsNumber } from './bigint-as-number.transformer';

export const PaymentStatus = {
  /** The amount was debited from the customer's account. */
  CHARGED: 'CHARGED',
  /** Credited back, or refunded before any charge arrived (a tombstone: no customer, 0). */
  REFUNDED: 'REFUNDED',
} as const;
export type PaymentStatus = (typeof PaymentStatus)[keyof typeof PaymentStatus];

/** At most one per booking: the primary key is what makes charge and refund idempotent. */
@Entity({ name: 'payments' })
export class Payment {
  @PrimaryColumn({ name: 'booking_id', type: 'text' })
  bookingId!: string;

  /** Null for a tombstone. */
  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId!: string | null;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  amount!: number;

  @Column({ type: 'text' })
  status!: PaymentStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
