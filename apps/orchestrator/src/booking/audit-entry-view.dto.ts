import { ApiProperty } from '@nestjs/swagger';
import { AuditType } from '@app/saga-core';
import { AuditView } from './booking.view';

/** One line of a booking's audit log. */
export class AuditEntryViewDto implements Readonly<AuditView> {
  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({
    description: `What happened: ${Object.values(AuditType).join(', ')}`,
    example: AuditType.COMMAND_SENT,
  })
  type!: string;

  @ApiProperty({ type: String, nullable: true, example: 'flight' })
  step!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What the line records: the command, the reply, the reason, who asked…',
    example: { command: 'flight.reserve', attempt: 1 },
  })
  detail!: Record<string, unknown>;
}
