import { Module, OnModuleInit } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { collectDefaultMetricsOnce } from './default-metrics';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

/**
 * `GET /health` (database ping + broker connection) and `GET /metrics` (Prometheus text) for
 * any app that imports `SagaModule` on a TypeORM `DataSource`.
 */
@Module({
  imports: [
    TerminusModule.forRoot({ errorLogStyle: 'pretty' }),
    // Default metrics are registered by `collectDefaultMetricsOnce`, not per module instance.
    PrometheusModule.register({
      defaultMetrics: { enabled: false },
      controller: MetricsController,
    }),
  ],
  controllers: [HealthController],
})
export class ServiceHealthModule implements OnModuleInit {
  onModuleInit(): void {
    collectDefaultMetricsOnce();
  }
}
