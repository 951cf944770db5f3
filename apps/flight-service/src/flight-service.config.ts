import { localDatabaseUrl, ServiceConfig } from '@app/platform';

export class FlightServiceConfig extends ServiceConfig {
  override PORT = 3001;
  override DATABASE_URL = localDatabaseUrl('flight_service');
}
