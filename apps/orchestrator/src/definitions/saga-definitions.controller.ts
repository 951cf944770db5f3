import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiErrors,
  ApiReadKey,
  PersistedSpec,
  ReadAccessGuard,
  SagaEngine,
  UNREADABLE_REQUEST,
} from '@app/saga-core';
import { SagaDefinitionViewDto } from './saga-definition-view.dto';

@ApiTags('saga-definitions')
@ApiReadKey()
@ApiErrors({ 401: 'A read key is configured and no valid key was sent' })
@UseGuards(ReadAccessGuard)
@Controller('saga-definitions')
export class SagaDefinitionsController {
  constructor(private readonly engine: SagaEngine) {}

  @Get()
  @ApiOperation({
    operationId: 'listSagaDefinitions',
    summary: 'Persisted saga definitions, by name and version',
    description: 'Each with its steps; a saga instance stays on the version it started on',
  })
  @ApiOkResponse({ description: 'The definitions', type: [SagaDefinitionViewDto] })
  @ApiErrors(UNREADABLE_REQUEST)
  async list(): Promise<(PersistedSpec & { createdAt: string })[]> {
    const definitions = await this.engine.definitions();
    return definitions.map((d) => ({ ...d.spec, createdAt: d.createdAt.toISOString() }));
  }
}
