import { ApiProperty } from '@nestjs/swagger';
import { PaymentView } from '../payment-accounts.controller';
import { PaymentStatus } from '../payment.entity';

export class PaymentViewDto implements Readonly<PaymentView> {
  @ApiProperty({ format: 'uuid' })
  bookingId!: string;

  @ApiProperty({ example: 'cust-1' })
  customerId!: string;

  @ApiProperty({ example: 490 })
  amount!: number;

  @ApiProperty({ enum: Object.values(PaymentStatus), example: 'CHARGED' })
  status!: PaymentStatus;
}
