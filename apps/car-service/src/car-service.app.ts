import { serviceAppFactory } from '@app/platform';
import { AppModule } from './app.module';
import { CAR_OPENAPI } from './car-service.openapi';
import { CarServiceConfig } from './car-service.config';

/** The car service, migrated and seeded but not listening; `env` defaults to the process's. */
export const createCarServiceApp = serviceAppFactory(
  CarServiceConfig,
  (config) => AppModule.forRoot(config),
  CAR_OPENAPI,
);
