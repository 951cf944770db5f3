import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { PaymentStatus } from './payment.entity';
import { PaymentAccountsService } from './payment-accounts.service';
import { SafeTextPipe } from '@app/saga-core';

/** A booking id with what text may not hold is a 400, not a failed query. */
const BOOKING_ID = new SafeTextPipe({ name: 'bookingId' });

export interface AccountView {
  customerId: string;
  balance: number;
  initialBalance: number;
}

export interface PaymentView {
  bookingId: string;
  /** Null for a refund that arrived before any charge. */
  customerId: string | null;
  amount: number;
  status: PaymentStatus;
}

@Controller()
export class PaymentAccountsController {
  constructor(private readonly accounts: PaymentAccountsService) {}

  @Get('accounts')
  async list(): Promise<AccountView[]> {
    const accounts = await this.accounts.accounts();
    return accounts.map(({ customerId, balance, initialBalance }) => ({
      customerId,
      balance,
      initialBalance,
    }));
  }

  @Get('payments/:bookingId')
  async payment(@Param('bookingId', BOOKING_ID) bookingId: string): Promise<PaymentView> {
    const payment = await this.accounts.payment(bookingId);
    if (!payment) throw new NotFoundException(`No payment for booking ${bookingId}`);
    const { customerId, amount, status } = payment;
    return { bookingId, customerId, amount, status };
  }
}
