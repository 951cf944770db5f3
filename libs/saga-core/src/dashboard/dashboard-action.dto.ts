import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';

/** Why an operator acts; who is the name of the operator key. */
export class DashboardActionDto {
  @ApiProperty({ example: 'the customer called to cancel' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

export class MoveDeadLettersDto extends DashboardActionDto {
  @ApiPropertyOptional({
    type: [String],
    description: 'Only these messages (by message id); default every message of the queue',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  messageIds?: string[];
}
