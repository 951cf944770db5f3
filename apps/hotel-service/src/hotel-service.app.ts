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
import { HOTEL_OPENAPI } from './hotel-service.openapi';
import { HotelServiceConfig } from './hotel-service.config';

/** The hotel service, migrated and seeded but not listening; `env` defaults to the process's. */
export function createHotelServiceApp(
  env: Env = process.env,
  options: Pick<CreateServiceAppOptions, 'logger'> = {},
): Promise<INestApplication> {
  const config = loadConfig(HotelServiceConfig, env);
  return createServiceApp(AppModule.forRoot(config), {
    ...options,
    databaseUrl: config.DATABASE_URL,
    databaseSession: databaseSessionLimits(config),
    configure: (app) => serveOpenApi(app, HOTEL_OPENAPI),
  });
}
