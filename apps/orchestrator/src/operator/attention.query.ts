import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Ten years: anything longer names no moment a saga could have been changed at. */
export const MAX_STUCK_SECONDS = 315_360_000;

export class AttentionQuery {
  @ApiPropertyOptional({
    default: 60,
    minimum: 1,
    maximum: MAX_STUCK_SECONDS,
    description: 'A PENDING booking unchanged this long is stuck',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_STUCK_SECONDS)
  stuckSeconds?: number;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
