import { ApiProperty } from '@nestjs/swagger';
import { AccountView } from '../payment-accounts.controller';

export class AccountViewDto implements Readonly<AccountView> {
  @ApiProperty({ example: 'cust-1' })
  customerId!: string;

  @ApiProperty({ example: 99999510 })
  balance!: number;

  @ApiProperty({ example: 100000000 })
  initialBalance!: number;
}
