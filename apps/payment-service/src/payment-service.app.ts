import { serviceAppFactory } from '@app/platform';
import { AppModule } from './app.module';
import { PAYMENT_OPENAPI } from './payment-service.openapi';
import { PaymentServiceConfig } from './payment-service.config';

/** The payment service, migrated and seeded but not listening; `env` defaults to the process's. */
export const createPaymentServiceApp = serviceAppFactory(
  PaymentServiceConfig,
  (config) => AppModule.forRoot(config),
  PAYMENT_OPENAPI,
);
