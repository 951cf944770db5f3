import { DynamicModule, Module, OnModuleDestroy, Inject } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { MESSAGING_STATS } from '../messaging/messaging-stats.port';
import { TypeOrmMessagingStats } from '../persistence/typeorm/typeorm-messaging-stats';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from '../saga-core.options';
import { DEAD_LETTERS, DeadLetters } from '../transport/dead-letters.port';
import { RabbitMqDeadLetters } from '../transport/rabbitmq/rabbitmq-dead-letters';
import { DashboardApiController } from './dashboard-api.controller';
import { DashboardChangeFeed } from './dashboard-change-feed';
import { DashboardEventsController } from './dashboard-events.controller';
import { DashboardPageController } from './dashboard-page.controller';
import { DashboardRunsService } from './dashboard-runs.service';
import { DashboardSystemController } from './dashboard-system.controller';
import { DashboardSystemService } from './dashboard-system.service';
import { SAGA_DASHBOARD_OPTIONS, SagaDashboardOptions } from './saga-dashboard.options';

/**
 * The operator dashboard, mounted in the app's own HTTP server at `path` (default
 * `/dashboard`), as `@bull-board/nestjs` mounts BullMQ's: Runs, a Run, System, updated live.
 * It needs `SagaModule` with an orchestrator (the engine) and `ApiKeyAccessModule` (its
 * reads take the read key once one is configured, its actions an operator key). It runs on
 * Express and on Fastify; on Fastify, create the adapter with
 * `routerOptions: { ignoreTrailingSlash: true }`, as the page lives at `/dashboard/`.
 *
 * ```ts
 * imports: [SagaDashboardModule.forRoot({ labels: [{ key: 'mode', title: 'Mode' }] })]
 * ```
 */
@Module({})
export class SagaDashboardModule implements OnModuleDestroy {
  constructor(@Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetters) {}

  static forRoot(options: SagaDashboardOptions = {}): DynamicModule {
    const path = (options.path ?? 'dashboard').replace(/^\/+|\/+$/g, '');
    return {
      module: SagaDashboardModule,
      imports: [RouterModule.register([{ path, module: SagaDashboardModule }])],
      controllers: [
        DashboardPageController,
        DashboardApiController,
        DashboardSystemController,
        DashboardEventsController,
      ],
      providers: [
        { provide: SAGA_DASHBOARD_OPTIONS, useValue: { ...options, path } },
        {
          provide: DEAD_LETTERS,
          inject: [SAGA_CORE_OPTIONS],
          useFactory: (core: SagaCoreOptions) => {
            if (!core.amqpUrl) {
              throw new Error(
                'SagaDashboardModule reads dead letters from RabbitMQ: set amqpUrl in SagaModule',
              );
            }
            return new RabbitMqDeadLetters(core.amqpUrl);
          },
        },
        {
          provide: MESSAGING_STATS,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new TypeOrmMessagingStats(dataSource),
        },
        DashboardChangeFeed,
        DashboardRunsService,
        DashboardSystemService,
      ],
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.deadLetters.close();
  }
}
