import { localDatabaseUrl, ServiceConfig } from '@app/platform';

export class HotelServiceConfig extends ServiceConfig {
  override PORT = 3002;
  override DATABASE_URL = localDatabaseUrl('hotel_service');
}
