import { INestApplication } from '@nestjs/common';
import { serveOpenApi } from '@app/saga-core';
import {
  CreateServiceAppOptions,
  createServiceApp,
  databaseSessionLimits,
  loadConfig,
  Env,
} from '@app/platform';
import { AppModule } from './app.module';
import { FLIGHT_OPENAPI } from './flight-service.openapi';
import { FlightServiceConfig } from './flight-service.config';

/** The flight service, migrated and seeded but not listening; `env` defaults to the process's. */
export function createFlightServiceApp(
  env: Env = process.env,
  options: Pick<CreateServiceAppOptions, 'logger'> = {},
): Promise<INestApplication> {
  const config = loadConfig(FlightServiceConfig, env);
  return createServiceApp(AppModule.forRoot(config), {
    ...options,
    databaseUrl: config.DATABASE_URL,
    databaseSession: databaseSessionLimits(config),
    configure: (app) => serveOpenApi(app, FLIGHT_OPENAPI),
  });
}
