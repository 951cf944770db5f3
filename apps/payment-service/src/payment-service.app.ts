import { INestApplication } from '@nestjs/common';
import {
  CreateServiceAppOptions,
  createServiceApp,
  databaseSessionLimits,
  loadConfig,
  Env,
} from '@app/saga-core';
import { AppModule } from './app.module';
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
  });
}
