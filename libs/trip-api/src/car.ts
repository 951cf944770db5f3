import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';
import { commandEndpoint, IsSafeText } from '@app/saga-core';

export const CAR_COMMANDS = 'car.commands';

/** One car of a class, for a number of days. */
export interface ReserveCar {
  bookingId: string;
  carClass: string;
  days: number;
}

export interface CarReserved {
  carClass: string;
  days: number;
  /** days × the daily price. */
  price: number;
}

export interface CancelCar {
  bookingId: string;
}

export const CarEndpoints = {
  reserve: commandEndpoint<ReserveCar, CarReserved>(CAR_COMMANDS, 'car.reserve'),
  cancel: commandEndpoint<CancelCar>(CAR_COMMANDS, 'car.cancel'),
} as const;

/** The car's part of `POST /bookings`. */
export class CarRequestDto {
  @ApiProperty({ example: 'COMPACT' })
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  @MaxLength(64)
  carClass!: string;

  @ApiProperty({ example: 3, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(365)
  days!: number;
}

/** The car's own refusal codes, besides the trip's (`SOLD_OUT`, `ALREADY_CANCELLED`). */
export const CAR_REFUSAL_CODES = {
  /** No such class in the fleet. */
  UNKNOWN_CAR_CLASS: 'UNKNOWN_CAR_CLASS',
} as const;
export type CarRefusalCode = (typeof CAR_REFUSAL_CODES)[keyof typeof CAR_REFUSAL_CODES];
