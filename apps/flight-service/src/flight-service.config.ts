import { ServiceConfig } from '@app/platform';

export class FlightServiceConfig extends ServiceConfig {
  override PORT = 3001;
  override DATABASE_URL = 'postgres://postgres@localhost:5432/flight_service';
}
