import { serviceAppFactory } from '@app/platform';
import { AppModule } from './app.module';
import { HOTEL_OPENAPI } from './hotel-service.openapi';
import { HotelServiceConfig } from './hotel-service.config';

/** The hotel service, migrated and seeded but not listening; `env` defaults to the process's. */
export const createHotelServiceApp = serviceAppFactory(
  HotelServiceConfig,
  (config) => AppModule.forRoot(config),
  HOTEL_OPENAPI,
);
