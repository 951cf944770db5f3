import { ServiceConfig } from '@app/platform';

export class CarServiceConfig extends ServiceConfig {
  override PORT = 3004;
  override DATABASE_URL = 'postgres://postgres@localhost:5432/car_service';
}
