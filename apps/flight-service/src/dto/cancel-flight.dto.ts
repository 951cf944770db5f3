import { CancelFlight, TRIP_FAULTS, TripFault } from '@app/trip-api';
import { IsIn, IsNotEmpty, IsOptional, IsString } from 'class-validator';

export class CancelFlightDto implements CancelFlight {
  @IsString()
  @IsNotEmpty()
  bookingId!: string;

  @IsOptional()
  @IsIn(TRIP_FAULTS)
  fault?: TripFault;
}
