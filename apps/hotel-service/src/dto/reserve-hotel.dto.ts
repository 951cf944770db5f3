import { ReserveHotel, TRIP_FAULTS, TripFault } from '@app/trip-api';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';

export class ReserveHotelDto implements ReserveHotel {
  @IsString()
  @IsNotEmpty()
  bookingId!: string;

  @IsString()
  @IsNotEmpty()
  hotelId!: string;

  @IsInt()
  @Min(1)
  nights!: number;

  @IsInt()
  @Min(1)
  rooms!: number;

  @IsOptional()
  @IsIn(TRIP_FAULTS)
  fault?: TripFault;
}
