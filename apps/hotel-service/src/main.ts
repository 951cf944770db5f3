import { runServiceApp } from '@app/saga-core/bootstrap/app.bootstrap';
import { createHotelServiceApp } from './hotel-service.app';

runServiceApp('hotel-service', () => createHotelServiceApp());
