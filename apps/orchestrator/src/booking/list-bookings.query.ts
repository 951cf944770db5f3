import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { SagaStatus } from '@app/saga-core';
import { BOOKING_MODES, BookingMode } from './booking-mode';

const STATUSES = Object.values(SagaStatus);

export class ListBookingsQuery {
  @ApiPropertyOptional({ enum: BOOKING_MODES })
  @IsOptional()
  @IsIn(BOOKING_MODES)
  mode?: BookingMode;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: SagaStatus;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
