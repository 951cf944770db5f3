import { ReserveFlight, TRIP_FAULTS, TripFault } from '@app/trip-api';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';

export class ReserveFlightDto implements ReserveFlight {
  @IsString()
  @IsNotEmpty()
  bookingId!: string;

  @IsString()
  @IsNotEmpty()
  flightId!: string;

  @IsInt()
  @Min(1)
  seats!: number;

  @IsOptional()
  @IsIn(TRIP_FAULTS)
  fault?: TripFault;
}
