import { Injectable } from '@nestjs/common';
import { UndoMarker, preparedQuery } from '@app/saga-core';
import { TripErrorCode, TripRefusedError } from '@app/trip-api';
import { EntityManager } from 'typeorm';
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
 * updates, so nothing is ever charged or refunded twice. Each method leaves the transaction as
 * it found it when it refuses, so a caller may go on and commit a refusal (as the
 * choreographed handler does); no savepoint is needed for that.
 */
/** A booking's charge: a tombstone of 0 for a refund that comes first, else credited back once. */
const CHARGES = new UndoMarker({
  table: 'payments',
  key: 'booking_id',
  held: PaymentStatus.CHARGED,
  undone: PaymentStatus.REFUNDED,
  tombstone: { customer_id: null, amount: 0 },
  touched: 'updated_at',
  stock: {
    table: 'accounts',
    key: 'customer_id',
    column: 'balance',
    owner: 'customer_id',
    amount: 'amount',
  },
});

@Injectable()
export class PaymentService {
  /**
   * Idempotent: a booking already charged gets its payment back, nothing is debited twice.
   * One round trip on the way that matters: the payment and its debit in one statement.
   */
  async charge(manager: EntityManager, request: ChargeRequest): Promise<ChargeResult> {
    const { bookingId, customerId, amount } = request;
    // The debit happens only if this statement inserted the payment: a redelivery finds the
    // row, waits for it if it is not committed yet, and debits nothing.
    const [outcome] = await preparedQuery<{ known: number; inserted: number; debited: number }>(
      manager,
      {
        name: 'payment-charge-v1',
        text: `WITH a AS (SELECT 1 FROM accounts WHERE customer_id = $2),
       p AS (
         INSERT INTO payments (booking_id, customer_id, amount, status)
         SELECT $1, $2, $3, '${PaymentStatus.CHARGED}' FROM a
         ON CONFLICT (booking_id) DO NOTHING
         RETURNING booking_id),
       d AS (
         UPDATE accounts SET balance = balance - $3
          WHERE customer_id = $2 AND balance >= $3 AND EXISTS (SELECT 1 FROM p)
         RETURNING 1)
       SELECT (SELECT count(*) FROM a)::int AS known, (SELECT count(*) FROM p)::int AS inserted,
              (SELECT count(*) FROM d)::int AS debited`,
      },
      [bookingId, customerId, amount],
    );
    if (outcome.known === 0) {
      throw new TripRefusedError(TripErrorCode.UNKNOWN_CUSTOMER, `No customer ${customerId}`);
    }
    if (outcome.inserted === 0) return this.existing(manager, bookingId);
    if (outcome.debited === 0) {
      // Not enough on the account: take back the payment this statement wrote.
      await manager.query(`DELETE FROM payments WHERE booking_id = $1`, [bookingId]);
      throw new TripRefusedError(
        TripErrorCode.INSUFFICIENT_FUNDS,
        `Customer ${customerId} cannot pay ${amount}`,
      );
    }
    return { customerId, amount };
  }

  /**
   * Idempotent, and accepts the refund of a charge that never arrived: it leaves a REFUNDED
   * tombstone of 0, so that charge, if it comes later, is refused.
   */
  async refund(manager: EntityManager, bookingId: string): Promise<void> {
    await CHARGES.undo(manager, bookingId);
  }

  private async existing(manager: EntityManager, bookingId: string): Promise<ChargeResult> {
    const payment = await manager.findOneByOrFail(Payment, { bookingId });
    if (CHARGES.isUndone(payment.status) || payment.customerId === null) {
      throw new TripRefusedError(
        TripErrorCode.ALREADY_CANCELLED,
        `Booking ${bookingId} was refunded before it could be charged`,
      );
    }
    return { customerId: payment.customerId, amount: payment.amount };
  }
}
