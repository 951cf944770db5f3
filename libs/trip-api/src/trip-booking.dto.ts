import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  EventMessage,
  IsSafeText,
  PoisonMessageError,
  TerminalStepError,
  validatePayload,
} from '@app/saga-core';
import { TripBooking, TripPrices } from './trip-booking';
import {
  participantFieldsDto,
  TripPartsBefore,
  TripPartsFields,
  tripPartValidators,
} from './trip-participant-fields';
import { TRIP_FAULTS, TripFault } from './trip-fault';

const TripFaultsDto = participantFieldsDto<TripFault>('TripFaultsDto', () => [
  IsOptional(),
  IsIn(TRIP_FAULTS),
  Reflect.metadata('design:type', String),
]);

const TripPricesDto = participantFieldsDto<number>('TripPricesDto', () => [
  IsOptional(),
  IsInt(),
  Min(0),
  Reflect.metadata('design:type', Number),
]);

/**
 * The payload of every trip event; each part is checked by its DTO class (`TRIP_PART_DTOS`).
 * Fields it does not know are kept, for newer publishers.
 */
export class TripBookingDto extends TripPartsFields implements TripBooking {
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  bookingId!: string;

  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  customerId!: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TripFaultsDto)
  @TripPartsBefore(tripPartValidators)
  faults?: TripBooking['faults'];

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TripPricesDto)
  prices?: TripPrices;

  @IsOptional()
  @IsInt()
  @Min(0)
  flightPrice?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  hotelPrice?: number;

  @IsOptional()
  @IsString()
  @IsSafeText()
  reason?: string;
}

/**
 * The booking a trip event carries, checked. An event whose payload is not a booking, or a
 * booking of another saga than the event's, can never be handled: it is poison, dead-lettered
 * at once instead of being redelivered up to the queue's limit.
 */
export function tripBookingOf(event: EventMessage): TripBooking {
  let trip: TripBooking;
  try {
    trip = validatePayload(TripBookingDto, event.payload);
  } catch (error) {
    if (error instanceof TerminalStepError) throw new PoisonMessageError(error.message);
    throw error;
  }
  if (trip.bookingId !== event.correlationId) {
    throw new PoisonMessageError(
      `${event.type} ${event.messageId}: booking ${trip.bookingId} under correlation id ${event.correlationId}`,
    );
  }
  return trip;
}
