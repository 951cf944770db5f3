import { ApiProperty } from '@nestjs/swagger';
import { SagaStatus } from '@app/saga-core';
import { BOOKING_MODES } from './booking-mode';
import { BookingStepViewDto } from './booking-step-view.dto';
import { BookingView } from './booking.view';

/** A booking with its steps: the body of `GET /bookings/:id` and of the operator actions. */
export class BookingViewDto implements Readonly<BookingView> {
  @ApiProperty({ format: 'uuid' })
  bookingId!: string;

  @ApiProperty({ enum: BOOKING_MODES, example: 'orchestrated' })
  mode!: string;

  @ApiProperty({ enum: Object.values(SagaStatus), example: SagaStatus.CONFIRMED })
  status!: string;

  @ApiProperty({ type: [BookingStepViewDto] })
  steps!: BookingStepViewDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The step that failed and why, once a step failed',
    example: null,
  })
  failureReason!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}
