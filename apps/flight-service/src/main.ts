import { runServiceApp } from '@app/platform';
import { createFlightServiceApp } from './flight-service.app';

runServiceApp('flight-service', () => createFlightServiceApp());
