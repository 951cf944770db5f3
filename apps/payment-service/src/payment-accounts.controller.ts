import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { PaymentStatus } from './payment.entity';
import { PaymentAccountsService } from './payment-accounts.service';

export interface AccountView {
  customerId: string;
  balance: number;
  initialBalance: number;
}

export interface PaymentView {
  bookingId: string;
  customerId: string;
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
  async payment(@Param('bookingId') bookingId: string): Promise<PaymentView> {
    const payment = await this.accounts.payment(bookingId);
    // A tombstone (a refund that came before any charge) moved no money: it is no payment.
    if (!payment?.customerId) throw new NotFoundException(`No payment for booking ${bookingId}`);
    const { customerId, amount, status } = payment;
    return { bookingId, customerId, amount, status };
  }
}
