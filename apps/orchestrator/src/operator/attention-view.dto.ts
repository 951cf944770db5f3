import { ApiProperty } from '@nestjs/swagger';
import { BookingViewDto } from '../booking/booking-view.dto';
import { AttentionReason } from '@app/saga-core';
import { AttentionView } from './attention.view';

/** Why a booking needs an operator, and the action that addresses it. */
export class AttentionDto {
  @ApiProperty({
    enum: Object.values(AttentionReason),
    example: AttentionReason.COMPENSATION_FAILED,
  })
  reason!: AttentionReason;

  @ApiProperty({ format: 'date-time', description: 'Since when it has been so' })
  since!: string;

  @ApiProperty({ type: String, nullable: true, description: 'What failed, in words' })
  detail!: string | null;

  @ApiProperty({
    example: 'retry-compensation',
    description: 'The operator action that addresses it: POST /bookings/{id}/{action}',
  })
  action!: string;
}

/** A booking as `GET /operator/attention` lists it. */
export class AttentionViewDto extends BookingViewDto implements Readonly<AttentionView> {
  @ApiProperty({ type: AttentionDto })
  attention!: AttentionDto;
}
