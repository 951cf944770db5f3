import { ReserveFlight, TripCommandDto } from '@app/trip-api';
import { IsInt, IsNotEmpty, IsString, Min } from 'class-validator';

export class ReserveFlightDto extends TripCommandDto implements ReserveFlight {
  @IsString()
  @IsNotEmpty()
  flightId!: string;

  @IsInt()
  @Min(1)
  seats!: number;
}
