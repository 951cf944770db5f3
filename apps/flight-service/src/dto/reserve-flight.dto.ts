import { ReserveFlight, TripCommandDto } from '@app/trip-api';
import { IsInt, IsNotEmpty, IsString, Min } from 'class-validator';
import { IsSafeText } from '@app/saga-core';

export class ReserveFlightDto extends TripCommandDto implements ReserveFlight {
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  flightId!: string;

  @IsInt()
  @Min(1)
  seats!: number;
}
