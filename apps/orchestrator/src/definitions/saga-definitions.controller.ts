import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PersistedSpec, SagaEngine } from '@app/saga-core';

@ApiTags('saga-definitions')
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
