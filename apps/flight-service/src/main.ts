import { runServiceApp } from '@app/saga-core';
import { createFlightServiceApp } from './flight-service.app';

runServiceApp('flight-service', () => createFlightServiceApp());
