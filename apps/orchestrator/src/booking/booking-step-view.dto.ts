import { ApiProperty } from '@nestjs/swagger';
import { StepStatus } from '@app/saga-core';
import { BookingView } from './booking.view';

/** One step of a booking, as `GET /bookings/:id` shows it. */
export class BookingStepViewDto implements Readonly<BookingView['steps'][number]> {
  @ApiProperty({ example: 'flight' })
  name!: string;

  @ApiProperty({ enum: Object.values(StepStatus), example: StepStatus.COMPLETED })
  status!: string;

  @ApiProperty({ description: 'Tries of the step so far', example: 1 })
  attempts!: number;

  @ApiProperty({ description: 'Tries of its compensation so far', example: 0 })
  compensationAttempts!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  endedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  lastError!: string | null;
}
