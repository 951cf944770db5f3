import { DynamicModule, Module } from '@nestjs/common';
import { ServiceAppModule, sagaEngineMigrations } from '@app/saga-core';
import { BookingService } from './booking/booking.service';
import { BookingsController } from './booking/bookings.controller';
import { tripBookingChoreography } from './booking/trip-booking.choreography';
import { tripBookingSaga } from './booking/trip-booking.saga';
import { OrchestratorConfig } from './config/orchestrator.config';
import { SagaDefinitionsController } from './definitions/saga-definitions.controller';
import { OperatorApiKeyGuard } from './operator/operator-api-key.guard';
import { OperatorController } from './operator/operator.controller';

/** Durable queue the participants reply to. */
export const ORCHESTRATOR_REPLY_QUEUE = 'orchestrator.replies';
/** Durable queue on which the orchestrator follows the choreographed bookings' events. */
export const ORCHESTRATOR_EVENT_QUEUE = 'orchestrator.events';

@Module({})
export class OrchestratorModule {
  static forRoot(config: OrchestratorConfig): DynamicModule {
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
              definitions: [
                tripBookingSaga(config.STEP_TIMEOUT_MS),
                tripBookingChoreography(config.STEP_TIMEOUT_MS, 1),
                tripBookingChoreography(config.STEP_TIMEOUT_MS),
              ],
              replyQueue: ORCHESTRATOR_REPLY_QUEUE,
              eventQueue: ORCHESTRATOR_EVENT_QUEUE,
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
      ],
      controllers: [BookingsController, SagaDefinitionsController, OperatorController],
      providers: [BookingService, OperatorApiKeyGuard],
    };
  }
}
