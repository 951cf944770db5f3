import { CancelHotel, TRIP_FAULTS, TripFault } from '@app/trip-api';
import { IsIn, IsNotEmpty, IsOptional, IsString } from 'class-validator';

export class CancelHotelDto implements CancelHotel {
  @IsString()
  @IsNotEmpty()
  bookingId!: string;

  @IsOptional()
  @IsIn(TRIP_FAULTS)
  fault?: TripFault;
}
