import { ChargePayment, TRIP_FAULTS, TripFault } from '@app/trip-api';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';

export class ChargePaymentDto implements ChargePayment {
  @IsString()
  @IsNotEmpty()
  bookingId!: string;

  @IsString()
  @IsNotEmpty()
  customerId!: string;

  @IsInt()
  @Min(0)
  amount!: number;

  @IsOptional()
  @IsIn(TRIP_FAULTS)
  fault?: TripFault;
}
