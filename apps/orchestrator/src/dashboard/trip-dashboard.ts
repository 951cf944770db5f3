import { SagaDashboardOptions } from '@app/saga-core';
import { tripParticipantProfiles } from '@app/trip-api';
import { BOOKING_MODES } from '../booking/booking-mode';
import { OrchestratorConfig } from '../config/orchestrator.config';

/**
 * The dashboard as the trip bookings configure it: what is generic (runs, steps, audit,
 * diagrams) comes from the engine; these are the trip's own labels, data and apps.
 */
export function tripDashboard(config: OrchestratorConfig): SagaDashboardOptions {
  return {
    title: 'Trip bookings',
    labels: [{ key: 'mode', title: 'Mode', values: BOOKING_MODES }],
    dataFields: [{ name: 'customer', title: 'Customer', path: 'customerId' }],
    // Each participant follows the choreographed bookings on its own event queue.
    services: tripParticipantProfiles().map(({ name, app, eventQueue }) => ({
      name: app,
      url: config.participantUrl(name),
      queues: [eventQueue],
    })),
  };
}
