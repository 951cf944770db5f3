import { TripCommandDto } from '@app/trip-api';
import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsSafeText } from '@app/saga-core';
import { ReserveCar } from '@app/trip-api';

/** The rental as a command carries it, within the bounds `POST /bookings` accepts. */
export class ReserveCarDto extends TripCommandDto implements ReserveCar {
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  @MaxLength(64)
  carClass!: string;

  @IsInt()
  @Min(1)
  @Max(365)
  days!: number;
}
