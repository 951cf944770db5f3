import { DynamicModule, Module } from '@nestjs/common';
import { messagingMigrations } from '@app/saga-core';
import { FaultsModule, ServiceAppModule } from '@app/platform';
import { FLIGHT_COMMANDS } from '@app/trip-api';
import { Flight } from './flight.entity';
import { FlightCatalogueController } from './flight-catalogue.controller';
import { FlightCatalogueService } from './flight-catalogue.service';
import { FlightCommandHandler } from './flight-command.handler';
import { FlightEventHandler } from './flight-event.handler';
import { FlightReservation } from './flight-reservation.entity';
import { FlightReservationService } from './flight-reservation.service';
import { FlightServiceConfig } from './flight-service.config';
import { Flights1732260000000 } from './migrations/1732260000000-flights.migration';

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
      ],
      controllers: [FlightCatalogueController],
      providers: [
        FlightCatalogueService,
        FlightReservationService,
        FlightCommandHandler,
        FlightEventHandler,
      ],
    };
  }
}
