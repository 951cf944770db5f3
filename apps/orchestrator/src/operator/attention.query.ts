import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class AttentionQuery {
  @ApiPropertyOptional({
    default: 60,
    description: 'A PENDING booking unchanged this long is stuck',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  stuckSeconds?: number;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
