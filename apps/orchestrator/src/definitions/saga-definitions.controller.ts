import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiReadKey, PersistedSpec, ReadAccessGuard, SagaEngine } from '@app/saga-core';

@ApiTags('saga-definitions')
@ApiReadKey()
@ApiResponse({ status: 401, description: 'A read key is configured and no valid key was sent' })
@UseGuards(ReadAccessGuard)
@Controller('saga-definitions')
export class SagaDefinitionsController {
  constructor(private readonly engine: SagaEngine) {}

  @Get()
  @ApiOperation({ summary: 'Persisted saga definitions, by name and version' })
  async list(): Promise<(PersistedSpec & { createdAt: string })[]> {
    const definitions = await this.engine.definitions();
    return definitions.map((d) => ({ ...d.spec, createdAt: d.createdAt.toISOString() }));
  }
}
