import { OpenApiOptions } from '@app/saga-core';

/** The hotel service's OpenAPI document: every tag its controllers use is described here. */
export const HOTEL_OPENAPI: OpenApiOptions = {
  title: 'Hotel service',
  description:
    'A saga participant: reserves and cancels rooms for trip bookings, in both coordination styles.',
  defaultPort: 3002,
  tags: {
    hotels: 'The hotel catalogue and the reservations made by bookings',
    faults: 'Runtime fault rules on this service (off in production unless FAULTS_ENABLED=true)',
  },
};
