import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateIf,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  Validate,
} from 'class-validator';
import { FAULT_ACTIONS, FaultAction, FaultRuleInput, IsSafeText } from '@app/saga-core';

/** A delay longer than this would hold a message past any sensible step timeout and shutdown. */
export const MAX_FAULT_DELAY_MS = 600_000;

@ValidatorConstraint({ name: 'delayOnlyForDelay' })
class DelayOnlyForDelay implements ValidatorConstraintInterface {
  validate(_value: unknown, args: ValidationArguments): boolean {
    return (args.object as CreateFaultRuleDto).action === FaultAction.DELAY;
  }

  defaultMessage(): string {
    return 'delayMs is only for the delay action';
  }
}

/** The body of `POST /faults`. */
export class CreateFaultRuleDto implements FaultRuleInput {
  /** A command or event type, or `*` for any. */
  @ApiProperty({ description: 'A command or event type, or * for any', example: 'flight.reserve' })
  @IsString()
  @IsSafeText()
  @IsNotEmpty()
  match!: string;

  @ApiProperty({ enum: FAULT_ACTIONS, example: 'fail' })
  @IsIn(FAULT_ACTIONS, { message: `action must be one of ${FAULT_ACTIONS.join(', ')}` })
  action!: FaultAction;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: 1, description: 'Chance a match fires' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  probability?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'Firings before it stops; unlimited if absent' })
  @IsOptional()
  @IsInt()
  @Min(1)
  count?: number;

  /** Required for `delay`, refused for the other actions. */
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_FAULT_DELAY_MS,
    description: 'Required for delay, refused for the other actions',
  })
  @ValidateIf(
    (dto: CreateFaultRuleDto) => dto.action === FaultAction.DELAY || dto.delayMs !== undefined,
  )
  @Validate(DelayOnlyForDelay)
  @IsInt()
  @Min(1)
  @Max(MAX_FAULT_DELAY_MS)
  delayMs?: number;
}
