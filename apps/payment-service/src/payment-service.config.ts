import { localDatabaseUrl, ServiceConfig } from '@app/platform';

export class PaymentServiceConfig extends ServiceConfig {
  override PORT = 3003;
  override DATABASE_URL = localDatabaseUrl('payment_service');
}
