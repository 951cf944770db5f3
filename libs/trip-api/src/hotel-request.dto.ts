import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsSafeText } from '@app/saga-core';

/** The hotel's part of a booking (`TripParts.hotel`), in `POST /bookings` and every trip event. */
export class HotelRequestDto {
  @ApiProperty({ example: 'HT-200' })
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  @MaxLength(64)
  hotelId!: string;

  @ApiProperty({ example: 2, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(365)
  nights!: number;

  @ApiProperty({ example: 1, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(1000)
  rooms!: number;
}
