import { Type } from '@nestjs/common';
import {
  RequestClass,
  SagaStepBinding,
  SagaStepParticipant,
  SagaStepRegistration,
} from '@app/saga-core';
import { TripBooking } from './trip-booking';
import { tripBookingChoreography } from './trip-booking.choreography';
import { tripBookingSaga } from './trip-booking.saga';
import { tripBookingOf } from './trip-booking.dto';
import { TripParticipant } from './trip-participants';

/**
 * A trip step as a participant registers it with the kit (`SagaParticipantModule`): the trip
 * booking saga and its choreography (the participant's side of both is derived from them), the
 * step, the provider that runs it and the DTOs its requests are checked against. A
 * choreographed event's payload is read as a booking (`tripBookingOf`: poison if it is not one).
 */
export function tripStep(
  step: TripParticipant,
  use: Type<SagaStepParticipant>,
  requests: { run?: RequestClass; undo?: RequestClass } = {},
): SagaStepRegistration<TripBooking> {
  return { ...tripStepBinding(step, requests), use };
}

/** The same, for a participant at hand rather than a provider (`sagaStepAdapter`). */
export function tripStepBinding(
  step: TripParticipant,
  requests: { run?: RequestClass; undo?: RequestClass } = {},
): SagaStepBinding<TripBooking> {
  return {
    saga: tripBookingSaga(),
    choreography: tripBookingChoreography(),
    step,
    requests,
    dataOf: tripBookingOf,
  };
}
