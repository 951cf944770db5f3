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
import { CAR_OPENAPI } from './car-service.openapi';
import { CarServiceConfig } from './car-service.config';

/** The car service, migrated and seeded but not listening; `env` defaults to the process's. */
export function createCarServiceApp(
  env: Env = process.env,
  options: Pick<CreateServiceAppOptions, 'logger'> = {},
): Promise<INestApplication> {
  const config = loadConfig(CarServiceConfig, env);
  return createServiceApp(AppModule.forRoot(config), {
    ...options,
    databaseUrl: config.DATABASE_URL,
    databaseSession: databaseSessionLimits(config),
    configure: (app) => serveOpenApi(app, CAR_OPENAPI),
  });
}
