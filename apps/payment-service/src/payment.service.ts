import { Injectable } from '@nestjs/common';
import { TripErrorCode, TripRefusedError } from '@app/trip-api';
import { EntityManager } from 'typeorm';
import { Account } from './account.entity';
import { Payment, PaymentStatus } from './payment.entity';

export interface ChargeRequest {
  bookingId: string;
  customerId: string;
  amount: number;
}

export interface ChargeResult {
  customerId: string;
  amount: number;
}

/**
 * Charges and refunds, once per booking, in the caller's transaction. Knows nothing of
 * messaging: the saga's command handler and a choreographed event handler can share it.
 *
 * Race safety: the payment row's primary key serialises everything about one booking (an
 * insert waits for a concurrent one to commit), and a balance only moves through conditional
 * updates, so nothing is ever charged or refunded twice.
 */
@Injectable()
export class PaymentService {
  /** Idempotent: a booking already charged gets its payment back, nothing is debited twice. */
  charge(manager: EntityManager, request: ChargeRequest): Promise<ChargeResult> {
    // Its own savepoint, so a refusal never leaves the payment row without its debit.
    return manager.transaction(async (tx) => {
      const { bookingId, customerId, amount } = request;
      const account = await tx.findOneBy(Account, { customerId });
      if (!account) {
        throw new TripRefusedError(TripErrorCode.UNKNOWN_CUSTOMER, `No customer ${customerId}`);
      }
      const inserted: unknown[] = (
        await tx
          .createQueryBuilder()
          .insert()
          .into(Payment)
          .values({ bookingId, customerId, amount, status: PaymentStatus.CHARGED })
          .orIgnore()
          .returning('booking_id')
          .execute()
      ).raw;
      if (inserted.length === 0) return this.existing(tx, bookingId);
      const debited = await tx
        .createQueryBuilder()
        .update(Account)
        .set({ balance: () => 'balance - :amount' })
        .where('customer_id = :customerId AND balance >= :amount', { customerId, amount })
        .execute();
      if (debited.affected !== 1) {
        throw new TripRefusedError(
          TripErrorCode.INSUFFICIENT_FUNDS,
          `Customer ${customerId} cannot pay ${amount}`,
        );
      }
      return { customerId, amount };
    });
  }

  /**
   * Idempotent, and accepts the refund of a charge that never arrived: it leaves a REFUNDED
   * tombstone of 0, so that charge, if it comes later, is refused.
   */
  refund(manager: EntityManager, bookingId: string): Promise<void> {
    return manager.transaction(async (tx) => {
      const tombstone: unknown[] = (
        await tx
          .createQueryBuilder()
          .insert()
          .into(Payment)
          .values({ bookingId, customerId: null, amount: 0, status: PaymentStatus.REFUNDED })
          .orIgnore()
          .returning('booking_id')
          .execute()
      ).raw;
      if (tombstone.length === 1) return;
      // A payment exists (committed: the insert waited for it). Credit it back once only.
      const refunded: { customer_id: string; amount: string }[] = (
        await tx
          .createQueryBuilder()
          .update(Payment)
          .set({ status: PaymentStatus.REFUNDED })
          .where('booking_id = :bookingId AND status = :charged', {
            bookingId,
            charged: PaymentStatus.CHARGED,
          })
          .returning('customer_id, amount')
          .execute()
      ).raw;
      for (const row of refunded) {
        await tx
          .createQueryBuilder()
          .update(Account)
          .set({ balance: () => 'balance + :amount' })
          .where('customer_id = :customerId', { customerId: row.customer_id, amount: row.amount })
          .execute();
      }
    });
  }

  private async existing(tx: EntityManager, bookingId: string): Promise<ChargeResult> {
    const payment = await tx.findOneByOrFail(Payment, { bookingId });
    if (payment.status !== PaymentStatus.CHARGED || payment.customerId === null) {
      throw new TripRefusedError(
        TripErrorCode.ALREADY_CANCELLED,
        `Booking ${bookingId} was refunded before it could be charged`,
      );
    }
    return { customerId: payment.customerId, amount: payment.amount };
  }
}
