import { serviceAppFactory } from '@app/platform';
import { AppModule } from './app.module';
import { FLIGHT_OPENAPI } from './flight-service.openapi';
import { FlightServiceConfig } from './flight-service.config';

/** The flight service, migrated and seeded but not listening; `env` defaults to the process's. */
export const createFlightServiceApp = serviceAppFactory(
  FlightServiceConfig,
  (config) => AppModule.forRoot(config),
  FLIGHT_OPENAPI,
);
