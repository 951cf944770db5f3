import { IsIn, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { TRIP_FAULTS, TripFault } from './trip-fault';

/**
 * What every trip command carries: the booking and, optionally, the fault to inject. The
 * compensations (cancel, refund) carry nothing else; the reservations extend it.
 */
export class TripCommandDto {
  @IsString()
  @IsNotEmpty()
  bookingId!: string;

  @IsOptional()
  @IsIn(TRIP_FAULTS)
  fault?: TripFault;
}
