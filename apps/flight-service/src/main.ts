import { runServiceApp } from '@app/saga-core/bootstrap/app.bootstrap';
import { createFlightServiceApp } from './flight-service.app';

runServiceApp('flight-service', () => createFlightServiceApp());
