import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { participantFieldsDto, TRIP_FAULTS, TripFault } from '@app/trip-api';
import { BOOKING_MODES, BookingMode } from './booking-mode';
import { IsSafeText } from '@app/saga-core';

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

/** `faults`: one optional key per participant. */
export const FaultsDto = participantFieldsDto<TripFault>('FaultsDto', () => [
  ApiPropertyOptional({ enum: TRIP_FAULTS }),
  IsOptional(),
  IsIn(TRIP_FAULTS),
  Reflect.metadata('design:type', String),
]);
export type FaultsDto = InstanceType<typeof FaultsDto>;

/** `POST /bookings`: unknown fields anywhere are refused (whitelist + forbidNonWhitelisted). */
export class CreateBookingDto {
  @ApiPropertyOptional({ enum: BOOKING_MODES, default: 'orchestrated' })
  @IsOptional()
  @IsIn(BOOKING_MODES)
  mode?: BookingMode;

  @ApiProperty({ example: 'cust-1' })
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  @MaxLength(64)
  customerId!: string;

  @ApiProperty({ type: FlightRequestDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => FlightRequestDto)
  flight!: FlightRequestDto;

  @ApiProperty({ type: HotelRequestDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => HotelRequestDto)
  hotel!: HotelRequestDto;

  @ApiPropertyOptional({ type: FaultsDto, example: { payment: 'fail' } })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => FaultsDto)
  faults?: FaultsDto;
}
