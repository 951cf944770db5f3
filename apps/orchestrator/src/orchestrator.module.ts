import { DynamicModule, Module } from '@nestjs/common';
import { ServiceAppModule, sagaEngineMigrations } from '@app/saga-core';
import { BookingService } from './booking/booking.service';
import { BookingsController } from './booking/bookings.controller';
import { tripBookingSaga } from './booking/trip-booking.saga';
import { OrchestratorConfig } from './config/orchestrator.config';
import { SagaDefinitionsController } from './definitions/saga-definitions.controller';

/** Durable queue the participants reply to. */
export const ORCHESTRATOR_REPLY_QUEUE = 'orchestrator.replies';

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
              definitions: [tripBookingSaga(config.STEP_TIMEOUT_MS)],
              replyQueue: ORCHESTRATOR_REPLY_QUEUE,
            },
          },
        }),
      ],
      controllers: [BookingsController, SagaDefinitionsController],
      providers: [BookingService],
    };
  }
}
