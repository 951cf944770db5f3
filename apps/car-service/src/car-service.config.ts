import { localDatabaseUrl, ServiceConfig } from '@app/platform';

export class CarServiceConfig extends ServiceConfig {
  override PORT = 3004;
  override DATABASE_URL = localDatabaseUrl('car_service');
}
