import { runServiceApp } from '@app/platform';
import { createPaymentServiceApp } from './payment-service.app';

runServiceApp('payment-service', () => createPaymentServiceApp());
