import { DynamicModule, Global, Module } from '@nestjs/common';
import { ApiKeyAccess } from './api-key-access';
import { ApiKeyAccessOptions } from './api-key-access.options';
import { OperatorAccessGuard } from './operator-access.guard';
import { ReadAccessGuard } from './read-access.guard';

/**
 * API keys for an app's routes and the dashboard: `@UseGuards(ReadAccessGuard)` on what reads,
 * `@UseGuards(OperatorAccessGuard)` on operator actions. Global, so any module's controllers
 * can use the guards.
 */
@Global()
@Module({})
export class ApiKeyAccessModule {
  static forRoot(options: ApiKeyAccessOptions): DynamicModule {
    return {
      module: ApiKeyAccessModule,
      providers: [
        { provide: ApiKeyAccess, useValue: new ApiKeyAccess(options) },
        ReadAccessGuard,
        OperatorAccessGuard,
      ],
      exports: [ApiKeyAccess, ReadAccessGuard, OperatorAccessGuard],
    };
  }
}
