import { DynamicModule, Module } from '@nestjs/common';
import { messagingMigrations, SagaParticipantModule } from '@app/saga-core';
import { FaultsModule, ServiceAppModule } from '@app/platform';
import { HOTEL_COMMANDS, TripCommandDto, tripStep } from '@app/trip-api';
import { Hotel } from './hotel.entity';
import { HotelCatalogueController } from './hotel-catalogue.controller';
import { HotelCatalogueService } from './hotel-catalogue.service';
import { HotelReservation } from './hotel-reservation.entity';
import { HotelReservationService } from './hotel-reservation.service';
import { HotelServiceConfig } from './hotel-service.config';
import { Hotels1732260000000 } from './migrations/1732260000000-hotels.migration';

import { ReserveHotelDto } from './dto/reserve-hotel.dto';
import { HotelStep } from './hotel.step';

@Module({})
export class AppModule {
  static forRoot(config: HotelServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceAppModule.forRoot({
          serviceName: 'hotel-service',
          config,
          entities: [Hotel, HotelReservation],
          migrations: [...messagingMigrations, Hotels1732260000000],
          saga: { participant: { channel: HOTEL_COMMANDS }, choreography: {} },
        }),
        // POST/GET/DELETE /faults: runtime fault rules on this service's commands and events.
        FaultsModule,
        // The trip's hotel step, its command and event adapters derived from the definitions.
        SagaParticipantModule.forFeature([
          tripStep('hotel', HotelStep, { run: ReserveHotelDto, undo: TripCommandDto }),
        ]),
      ],
      controllers: [HotelCatalogueController],
      providers: [HotelStep, HotelCatalogueService, HotelReservationService],
    };
  }
}
