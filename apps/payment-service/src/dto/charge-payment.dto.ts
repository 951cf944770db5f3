import { ChargePayment, TripCommandDto } from '@app/trip-api';
import { IsInt, IsNotEmpty, IsString, Min } from 'class-validator';

export class ChargePaymentDto extends TripCommandDto implements ChargePayment {
  @IsString()
  @IsNotEmpty()
  customerId!: string;

  @IsInt()
  @Min(0)
  amount!: number;
}
