import { runServiceApp } from '@app/saga-core';
import { createHotelServiceApp } from './hotel-service.app';

runServiceApp('hotel-service', () => createHotelServiceApp());
