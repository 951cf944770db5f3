import { IsIn, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { TRIP_FAULTS, TripFault } from './trip-fault';
import { IsSafeText } from '@app/saga-core';

/**
 * What every trip command carries: the booking and, optionally, the fault to inject. The
 * compensations (cancel, refund) carry nothing else; the reservations extend it.
 */
export class TripCommandDto {
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  bookingId!: string;

  @IsOptional()
  @IsIn(TRIP_FAULTS)
  fault?: TripFault;
}
