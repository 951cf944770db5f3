import { IsNotEmpty, IsString } from 'class-validator';
import { IsSafeText } from '@app/saga-core';

/**
 * What every trip command carries: the booking. The compensations (cancel, refund) carry
 * nothing else; the reservations extend it. Demo faults travel in a header, not here.
 */
export class TripCommandDto {
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  bookingId!: string;
}
