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
import { PAYMENT_OPENAPI } from './payment-service.openapi';
import { PaymentServiceConfig } from './payment-service.config';

/** The payment service, migrated and seeded but not listening; `env` defaults to the process's. */
export function createPaymentServiceApp(
  env: Env = process.env,
  options: Pick<CreateServiceAppOptions, 'logger'> = {},
): Promise<INestApplication> {
  const config = loadConfig(PaymentServiceConfig, env);
  return createServiceApp(AppModule.forRoot(config), {
    ...options,
    databaseUrl: config.DATABASE_URL,
    databaseSession: databaseSessionLimits(config),
    configure: (app) => serveOpenApi(app, PAYMENT_OPENAPI),
  });
}
