import { ServiceConfig } from '@app/platform';

export class HotelServiceConfig extends ServiceConfig {
  override PORT = 3002;
  override DATABASE_URL = 'postgres://postgres@localhost:5432/hotel_service';
}
