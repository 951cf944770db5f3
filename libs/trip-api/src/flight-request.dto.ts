import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsSafeText } from '@app/saga-core';

/** The flight's part of a booking (`TripParts.flight`), in `POST /bookings` and every trip event. */
export class FlightRequestDto {
  @ApiProperty({ example: 'FL-100' })
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  @MaxLength(64)
  flightId!: string;

  @ApiProperty({ example: 1, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(1000)
  seats!: number;
}
