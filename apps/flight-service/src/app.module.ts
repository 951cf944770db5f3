import { DynamicModule, Module } from '@nestjs/common';
import { messagingMigrations, SagaParticipantModule } from '@app/saga-core';
import { FaultsModule, ServiceAppModule } from '@app/platform';
import { FLIGHT_COMMANDS, TripCommandDto, tripStep } from '@app/trip-api';
import { Flight } from './flight.entity';
import { FlightCatalogueController } from './flight-catalogue.controller';
import { FlightCatalogueService } from './flight-catalogue.service';
import { FlightReservation } from './flight-reservation.entity';
import { FlightReservationService } from './flight-reservation.service';
import { FlightServiceConfig } from './flight-service.config';
import { Flights1732260000000 } from './migrations/1732260000000-flights.migration';

import { ReserveFlightDto } from './dto/reserve-flight.dto';
import { FlightStep } from './flight.step';

@Module({})
export class AppModule {
  static forRoot(config: FlightServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceAppModule.forRoot({
          serviceName: 'flight-service',
          config,
          entities: [Flight, FlightReservation],
          migrations: [...messagingMigrations, Flights1732260000000],
          saga: { participant: { channel: FLIGHT_COMMANDS }, choreography: {} },
        }),
        // POST/GET/DELETE /faults: runtime fault rules on this service's commands and events.
        FaultsModule,
        // The trip's flight step, its command and event adapters derived from the definitions.
        SagaParticipantModule.forFeature([
          tripStep('flight', FlightStep, { run: ReserveFlightDto, undo: TripCommandDto }),
        ]),
      ],
      controllers: [FlightCatalogueController],
      providers: [FlightStep, FlightCatalogueService, FlightReservationService],
    };
  }
}
