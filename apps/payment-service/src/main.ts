import { runServiceApp } from '@app/saga-core/bootstrap/app.bootstrap';
import { createPaymentServiceApp } from './payment-service.app';

runServiceApp('payment-service', () => createPaymentServiceApp());
