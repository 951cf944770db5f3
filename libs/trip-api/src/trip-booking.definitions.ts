import { ChoreographyDefinition, SagaDefinition } from '@app/saga-core';
import { TripBooking } from './trip-booking';
import { tripBookingChoreographies } from './trip-booking.choreography';
import { tripBookingSagas } from './trip-booking.saga';

/**
 * Every version of the trip booking, orchestrated and choreographed, for an orchestrator to
 * register: new bookings start on the latest ones, and those started on an older one finish.
 */
export function tripBookingDefinitions(
  stepTimeoutMs = 5_000,
): (SagaDefinition<TripBooking> | ChoreographyDefinition<TripBooking>)[] {
  return [...tripBookingSagas(stepTimeoutMs), ...tripBookingChoreographies(stepTimeoutMs)];
}
