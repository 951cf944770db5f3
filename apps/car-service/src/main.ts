import { runServiceApp } from '@app/platform';
import { createCarServiceApp } from './car-service.app';

runServiceApp('car-service', () => createCarServiceApp());
