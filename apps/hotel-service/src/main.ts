import { runServiceApp } from '@app/platform';
import { createHotelServiceApp } from './hotel-service.app';

runServiceApp('hotel-service', () => createHotelServiceApp());
