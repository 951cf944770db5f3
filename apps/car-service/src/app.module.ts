import { DynamicModule, Module } from '@nestjs/common';
import { messagingMigrations, SagaParticipantModule } from '@app/saga-core';
import { FaultsModule, ServiceAppModule } from '@app/platform';
import { CAR_COMMANDS, TripCommandDto, tripStep } from '@app/trip-api';
import { Car } from './car.entity';
import { CarFleetController } from './car-fleet.controller';
import { CarFleetService } from './car-fleet.service';
import { CarRental } from './car-rental.entity';
import { CarRentalService } from './car-rental.service';
import { CarServiceConfig } from './car-service.config';
import { Cars1796342400000 } from './migrations/1796342400000-cars.migration';

import { ReserveCarDto } from './dto/reserve-car.dto';
import { CarStep } from './car.step';

@Module({})
export class AppModule {
  static forRoot(config: CarServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceAppModule.forRoot({
          serviceName: 'car-service',
          config,
          entities: [Car, CarRental],
          migrations: [...messagingMigrations, Cars1796342400000],
          saga: { participant: { channel: CAR_COMMANDS }, choreography: {} },
        }),
        // POST/GET/DELETE /faults: runtime fault rules on this service's commands and events.
        FaultsModule,
        // The trip's car step, its command and event adapters derived from the definitions.
        SagaParticipantModule.forFeature([
          tripStep('car', CarStep, {
            run: ReserveCarDto,
            undo: TripCommandDto,
          }),
        ]),
      ],
      controllers: [CarFleetController],
      providers: [CarStep, CarFleetService, CarRentalService],
    };
  }
}
