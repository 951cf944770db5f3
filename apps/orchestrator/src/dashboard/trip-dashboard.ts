import { SagaDashboardOptions } from '@app/saga-core';
import { BOOKING_MODES } from '../booking/booking-mode';
import { OrchestratorConfig } from '../config/orchestrator.config';

/**
 * The dashboard as the trip bookings configure it: what is generic (runs, steps, audit,
 * diagrams) comes from the engine; these are the trip's own labels, data and apps.
 */
export function tripDashboard(config: OrchestratorConfig): SagaDashboardOptions {
  const participant = (name: string, url: string) => ({
    name: `${name}-service`,
    url,
    // Each participant follows the choreographed bookings on `<service name>.events`.
    queues: [`${name}-service.events`],
  });
  return {
    title: 'Trip bookings',
    labels: [{ key: 'mode', title: 'Mode', values: BOOKING_MODES }],
    dataFields: [{ name: 'customer', title: 'Customer', path: 'customerId' }],
    services: [
      participant('flight', config.FLIGHT_URL),
      participant('hotel', config.HOTEL_URL),
      participant('payment', config.PAYMENT_URL),
    ],
  };
}
