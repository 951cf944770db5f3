import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Account } from './account.entity';
import { Payment } from './payment.entity';
import { PAYMENT_ACCOUNTS } from './payment-accounts';

/** The accounts and the payments as the HTTP API shows them. */
@Injectable()
export class PaymentAccountsService implements OnModuleInit {
  constructor(private readonly dataSource: DataSource) {}

  /** Seeds the accounts on first start; one statement, and accounts already there are kept. */
  async onModuleInit(): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(Account)
      .values(
        PAYMENT_ACCOUNTS.map(({ customerId, balance }) => ({
          customerId,
          balance,
          initialBalance: balance,
        })),
      )
      .orIgnore()
      .execute();
  }

  accounts(): Promise<Account[]> {
    return this.dataSource.getRepository(Account).find({ order: { customerId: 'ASC' } });
  }

  payment(bookingId: string): Promise<Payment | null> {
    return this.dataSource.getRepository(Payment).findOneBy({ bookingId });
  }
}
