import { OpenApiOptions } from '@app/saga-core';

/** The car service's OpenAPI document: every tag its controllers use is described here. */
export const CAR_OPENAPI: OpenApiOptions = {
  title: 'Car service',
  description:
    'A saga participant: rents and cancels cars for trip bookings, in both coordination styles.',
  defaultPort: 3004,
  tags: {
    cars: 'The car fleet and the rentals made by bookings',
    faults: 'Runtime fault rules on this service (off in production unless FAULTS_ENABLED=true)',
  },
};
