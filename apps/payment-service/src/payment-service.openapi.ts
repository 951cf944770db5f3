import { OpenApiOptions } from '@app/saga-core';

/** The payment service's OpenAPI document: every tag its controllers use is described here. */
export const PAYMENT_OPENAPI: OpenApiOptions = {
  title: 'Payment service',
  description:
    'A saga participant: charges and refunds customers for trip bookings, in both coordination styles.',
  defaultPort: 3003,
  tags: {
    payments: 'Customer accounts and the payments made by bookings',
    faults: 'Runtime fault rules on this service (off in production unless FAULTS_ENABLED=true)',
  },
};
