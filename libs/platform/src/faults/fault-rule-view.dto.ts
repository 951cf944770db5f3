import { ApiProperty } from '@nestjs/swagger';
import { FAULT_ACTIONS, FaultAction, FaultRule } from '@app/saga-core';

/** A runtime fault rule as `/faults` answers it. */
export class FaultRuleViewDto implements Readonly<FaultRule> {
  @ApiProperty({ example: 'rule-1' })
  id!: string;

  @ApiProperty({ description: 'A command or event type, or * for any', example: 'flight.reserve' })
  match!: string;

  @ApiProperty({ enum: FAULT_ACTIONS, example: 'fail' })
  action!: FaultAction;

  @ApiProperty({ minimum: 0, maximum: 1, example: 1 })
  probability!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'Null for unlimited', example: 2 })
  count!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Firings left; null for unlimited',
    example: 2,
  })
  remaining!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'For delay only', example: null })
  delayMs!: number | null;

  @ApiProperty({ description: 'Times it fired', example: 0 })
  hits!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
