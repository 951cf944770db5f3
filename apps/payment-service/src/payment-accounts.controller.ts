import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UNREADABLE_REQUEST } from '@app/saga-core';
import { AccountViewDto } from './dto/account-view.dto';
import { PaymentViewDto } from './dto/payment-view.dto';
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
  customerId: string;
  amount: number;
  status: PaymentStatus;
}

@ApiTags('payments')
@Controller()
export class PaymentAccountsController {
  constructor(private readonly accounts: PaymentAccountsService) {}

  @Get('accounts')
  @ApiOperation({
    operationId: 'listAccounts',
    summary: 'Customer accounts',
    description: 'Every account with its balance and initial balance',
  })
  @ApiOkResponse({ description: 'The accounts', type: [AccountViewDto] })
  @ApiErrors(UNREADABLE_REQUEST)
  async list(): Promise<AccountView[]> {
    const accounts = await this.accounts.accounts();
    return accounts.map(({ customerId, balance, initialBalance }) => ({
      customerId,
      balance,
      initialBalance,
    }));
  }

  @Get('payments/:bookingId')
  @ApiOperation({
    operationId: 'getPayment',
    summary: "A booking's payment",
    description:
      'Its amount and status; 404 when nothing was charged, including when a refund came first',
  })
  @ApiOkResponse({ description: 'The payment', type: PaymentViewDto })
  @ApiErrors({ ...UNREADABLE_REQUEST, 404: 'No payment for this booking' })
  async payment(@Param('bookingId', BOOKING_ID) bookingId: string): Promise<PaymentView> {
    const payment = await this.accounts.payment(bookingId);
    // A tombstone (a refund that came before any charge) moved no money: it is no payment.
    if (!payment?.customerId) throw new NotFoundException(`No payment for booking ${bookingId}`);
    const { customerId, amount, status } = payment;
    return { bookingId, customerId, amount, status };
  }
}
