import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  participantFieldsDto,
  TRIP_FAULTS,
  TRIP_PART_DTOS,
  TripFault,
  TripPart,
  TripPartsBefore,
  TripPartsFields,
  tripPartValidators,
} from '@app/trip-api';
import { BOOKING_MODES, BookingMode } from './booking-mode';
import { IsSafeText } from '@app/saga-core';

/** `faults`: one optional key per participant. */
export const FaultsDto = participantFieldsDto<TripFault>('FaultsDto', () => [
  ApiPropertyOptional({ enum: TRIP_FAULTS }),
  IsOptional(),
  IsIn(TRIP_FAULTS),
  Reflect.metadata('design:type', String),
]);
export type FaultsDto = InstanceType<typeof FaultsDto>;

/** A part of `POST /bookings`: required or optional as its step (`TRIP_PART_DTOS`). */
const requestPart = (part: TripPart): PropertyDecorator[] => {
  const { dto, required } = TRIP_PART_DTOS[part];
  return [
    required ? ApiProperty({ type: dto }) : ApiPropertyOptional({ type: dto }),
    ...tripPartValidators(part),
  ];
};

/** `POST /bookings`: unknown fields anywhere are refused (whitelist + forbidNonWhitelisted). */
export class CreateBookingDto extends TripPartsFields {
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

  @ApiPropertyOptional({ type: FaultsDto, example: { payment: 'fail' } })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => FaultsDto)
  @TripPartsBefore(requestPart)
  faults?: FaultsDto;
}
