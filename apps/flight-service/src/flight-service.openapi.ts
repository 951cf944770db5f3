import { OpenApiOptions } from '@app/saga-core';

/** The flight service's OpenAPI document: every tag its controllers use is described here. */
export const FLIGHT_OPENAPI: OpenApiOptions = {
  title: 'Flight service',
  description:
    'A saga participant: reserves and cancels seats for trip bookings, in both coordination styles.',
  defaultPort: 3001,
  tags: {
    flights: 'The flight catalogue and the reservations made by bookings',
    faults: 'Runtime fault rules on this service (off in production unless FAULTS_ENABLED=true)',
  },
};
