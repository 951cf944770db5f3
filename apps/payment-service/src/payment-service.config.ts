import { ServiceConfig } from '@app/platform';

export class PaymentServiceConfig extends ServiceConfig {
  override PORT = 3003;
  override DATABASE_URL = 'postgres://postgres@localhost:5432/payment_service';
}
