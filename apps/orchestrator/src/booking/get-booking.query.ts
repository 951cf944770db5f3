import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNumber, IsOptional, Max, Min } from 'class-validator';

export class GetBookingQuery {
  @ApiPropertyOptional({
    description: 'Seconds to wait for the booking to end before answering with its current state',
    minimum: 0,
    maximum: 30,
  })
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(30)
  wait?: number;
}
