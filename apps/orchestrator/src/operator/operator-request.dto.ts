import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsSafeText } from '@app/saga-core';

/** Who asks for an operator action and why: both are written to the saga's audit log. */
export class OperatorRequestDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  @MaxLength(100)
  operator!: string;

  @ApiProperty({ example: 'the customer called to cancel' })
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}
