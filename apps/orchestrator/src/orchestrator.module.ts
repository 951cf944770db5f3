import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import {
  ApiKeyAccessModule,
  parseOperatorKeys,
  SagaDashboardModule,
  sagaEngineMigrations,
  stepFaultsHeaders,
} from '@app/saga-core';
import { ServiceAppModule, SlidingLogThrottlerStorage } from '@app/platform';
import { BookingService } from './booking/booking.service';
import { BookingsController } from './booking/bookings.controller';
import { tripBookingDefinitions } from '@app/trip-api';
import { OrchestratorConfig } from './config/orchestrator.config';
import { tripDashboard } from './dashboard/trip-dashboard';
import { SagaDefinitionsController } from './definitions/saga-definitions.controller';
import { METRICS_TARGETS, participantTargets } from './observability/metrics-targets';
import { MetricsTargetsController } from './observability/metrics-targets.controller';
import { OperatorController } from './operator/operator.controller';
import { PublicApiThrottlerGuard } from './public-api-throttler.guard';

/** Durable queue the participants reply to. */
export const ORCHESTRATOR_REPLY_QUEUE = 'orchestrator.replies';
/** Durable queue on which the orchestrator follows the choreographed bookings' events. */
export const ORCHESTRATOR_EVENT_QUEUE = 'orchestrator.events';

@Module({})
export class OrchestratorModule {
  static forRoot(config: OrchestratorConfig): DynamicModule {
    const throttled = config.THROTTLE_LIMIT > 0;
    const throttle: Provider[] = throttled
      ? [{ provide: APP_GUARD, useClass: PublicApiThrottlerGuard }]
      : [];
    return {
      module: OrchestratorModule,
      imports: [
        ServiceAppModule.forRoot({
          serviceName: 'orchestrator',
          config,
          entities: [],
          migrations: sagaEngineMigrations,
          poolSize: 20,
          saga: {
            orchestrator: {
              definitions: tripBookingDefinitions(config.STEP_TIMEOUT_MS),
              replyQueue: ORCHESTRATOR_REPLY_QUEUE,
              eventQueue: ORCHESTRATOR_EVENT_QUEUE,
              // A booking's faults ride in a header of each of its messages (see the kit).
              messageHeaders: stepFaultsHeaders,
              unregisteredVersions: config.SAGA_UNREGISTERED_VERSIONS,
              timerRetry: {
                maxAttempts: config.SAGA_TIMER_MAX_ATTEMPTS,
                initialDelayMs: config.SAGA_TIMER_RETRY_DELAY_MS,
                multiplier: 2,
                maxDelayMs: 30_000,
                jitter: true,
              },
              reads: {
                poolSize: config.DATABASE_READ_POOL_SIZE,
                maxOpenWaits: config.HTTP_MAX_OPEN_WAITS,
              },
            },
          },
        }),
        ApiKeyAccessModule.forRoot({
          readKey: config.READ_API_KEY,
          operatorKeys: parseOperatorKeys(config.OPERATOR_API_KEYS, config.OPERATOR_API_KEY),
        }),
        SagaDashboardModule.forRoot(tripDashboard(config)),
        ThrottlerModule.forRoot({
          // The library's in-memory storage, at a constant cost per request (see its doc).
          storage: new SlidingLogThrottlerStorage(),
          throttlers: [
            { ttl: config.THROTTLE_TTL_SECONDS * 1000, limit: Math.max(1, config.THROTTLE_LIMIT) },
          ],
        }),
      ],
      controllers: [
        BookingsController,
        SagaDefinitionsController,
        OperatorController,
        MetricsTargetsController,
      ],
      providers: [
        BookingService,
        { provide: METRICS_TARGETS, useValue: participantTargets(config) },
        ...throttle,
      ],
    };
  }
}
