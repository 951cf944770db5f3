import { ApiProperty } from '@nestjs/swagger';
import { BOOKING_MODES } from './booking-mode';
import { BookingView } from './booking.view';

/** `202` to `POST /bookings`: the booking runs from here on; follow it at `Location`. */
export class BookingAcceptedDto implements Pick<BookingView, 'bookingId' | 'mode' | 'status'> {
  @ApiProperty({ format: 'uuid' })
  bookingId!: string;

  @ApiProperty({ enum: BOOKING_MODES, example: 'orchestrated' })
  mode!: string;

  @ApiProperty({ enum: ['PENDING'], example: 'PENDING' })
  status!: string;
}
