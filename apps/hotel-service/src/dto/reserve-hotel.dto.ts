import { ReserveHotel, TripCommandDto } from '@app/trip-api';
import { IsInt, IsNotEmpty, IsString, Min } from 'class-validator';

export class ReserveHotelDto extends TripCommandDto implements ReserveHotel {
  @IsString()
  @IsNotEmpty()
  hotelId!: string;

  @IsInt()
  @Min(1)
  nights!: number;

  @IsInt()
  @Min(1)
  rooms!: number;
}
