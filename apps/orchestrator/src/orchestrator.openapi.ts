import { OpenApiOptions } from '@app/saga-core';

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
  },
  apiKey: 'An operator key (`OPERATOR_API_KEY`), sent as X-API-Key',
};
