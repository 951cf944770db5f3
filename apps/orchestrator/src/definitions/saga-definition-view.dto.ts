import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A stored saga definition: its spec as persisted, and when it was first stored. */
export class SagaDefinitionViewDto {
  @ApiProperty({ example: 'trip-booking' })
  name!: string;

  @ApiProperty({ example: 1 })
  version!: number;

  @ApiPropertyOptional({
    enum: ['choreography'],
    description: 'Set for a choreographed saga; absent for an orchestrated one',
  })
  style?: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      'The steps in order: each with its command and compensation (orchestrated) or the ' +
      'events that tell how it went (choreographed), its timeout and retry policies, and ' +
      '`parallel: true` on a step that starts together with the step before it',
  })
  steps!: Record<string, unknown>[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Choreographed: the event that starts the saga',
  })
  start?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Choreographed: the event that cancels the saga',
  })
  cancel?: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
