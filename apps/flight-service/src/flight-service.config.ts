import { ServiceConfig } from '@app/saga-core';

export class FlightServiceConfig extends ServiceConfig {
  override PORT = 3001;
  override DATABASE_URL = 'postgres://postgres@localhost:5432/flight_service';
}
