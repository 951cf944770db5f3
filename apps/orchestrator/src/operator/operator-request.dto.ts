import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsSafeText } from '@app/saga-core';

/** Why an operator acts: written to the saga's audit log with the name of the key's holder. */
export class OperatorRequestDto {
  @ApiPropertyOptional({
    example: 'alice',
    description:
      'Accepted for compatibility and ignored: the audit log names the holder of the operator key',
  })
  @IsOptional()
  @IsString()
  @IsSafeText()
  @MaxLength(100)
  operator?: string;

  @ApiProperty({ example: 'the customer called to cancel' })
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}
