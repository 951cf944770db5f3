import { commandEndpoint } from '@app/saga-core';

export const PAYMENT_COMMANDS = 'payment.commands';

export interface ChargePayment {
  bookingId: string;
  customerId: string;
  amount: number;
}

export interface PaymentCharged {
  customerId: string;
  amount: number;
}

export interface RefundPayment {
  bookingId: string;
}

export const PaymentEndpoints = {
  charge: commandEndpoint<ChargePayment, PaymentCharged>(PAYMENT_COMMANDS, 'payment.charge'),
  refund: commandEndpoint<RefundPayment>(PAYMENT_COMMANDS, 'payment.refund'),
} as const;
