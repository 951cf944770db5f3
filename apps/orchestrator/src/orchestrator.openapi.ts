import {
  OPERATOR_KEY_SCHEME,
  OpenApiOptions,
  READ_KEY_SCHEME,
  SAGA_DASHBOARD_OPENAPI_TAGS,
} from '@app/saga-core';

/** The orchestrator's OpenAPI document: every tag its controllers use is described here. */
export const ORCHESTRATOR_OPENAPI: OpenApiOptions = {
  title: 'Saga orchestrator',
  description:
    'Trip bookings run as durable sagas over PostgreSQL and RabbitMQ, orchestrated or ' +
    'choreographed; their status, steps and audit log; operator actions on them.',
  defaultPort: 3000,
  tags: {
    bookings: 'Trip bookings: start one, follow it, read its audit log',
    'saga-definitions': 'The saga definitions stored by name and version',
    operator: 'Operator actions (operator key): cancel, retry a compensation, what needs attention',
    ...SAGA_DASHBOARD_OPENAPI_TAGS,
  },
  apiKeys: {
    [READ_KEY_SCHEME]: 'READ_API_KEY: needed by reads once it is configured (always in production)',
    [OPERATOR_KEY_SCHEME]:
      'One of OPERATOR_API_KEYS (or OPERATOR_API_KEY): operator actions, and reads',
  },
};
