import { runServiceApp } from '@app/saga-core';
import { createPaymentServiceApp } from './payment-service.app';

runServiceApp('payment-service', () => createPaymentServiceApp());
