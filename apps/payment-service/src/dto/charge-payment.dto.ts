import { ChargePayment, TripCommandDto } from '@app/trip-api';
import { IsInt, IsNotEmpty, IsString, Min } from 'class-validator';
import { IsSafeText } from '@app/saga-core';

export class ChargePaymentDto extends TripCommandDto implements ChargePayment {
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  customerId!: string;

  @IsInt()
  @Min(0)
  amount!: number;
}
