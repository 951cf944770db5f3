import { ReserveHotel, TripCommandDto } from '@app/trip-api';
import { IsInt, IsNotEmpty, IsString, Min } from 'class-validator';
import { IsSafeText } from '@app/saga-core';

export class ReserveHotelDto extends TripCommandDto implements ReserveHotel {
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  hotelId!: string;

  @IsInt()
  @Min(1)
  nights!: number;

  @IsInt()
  @Min(1)
  rooms!: number;
}
