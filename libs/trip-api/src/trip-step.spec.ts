import {
  COMMAND_HANDLER_METADATA,
  EVENT_HANDLER_METADATA,
  EventHandlerMetadata,
  sagaStepAdapterClass,
} from '@app/saga-core';
import { TRIP_PARTICIPANTS, TripParticipant } from './trip-participants';
import { tripStepBinding } from './trip-step';

/** What one participant's kit adapter answers to, read off its generated handler metadata. */
function subscriptions(step: TripParticipant) {
  const proto = sagaStepAdapterClass(tripStepBinding(step)).prototype as unknown as Record<
    string,
    object
  >;
  const meta = <T>(key: string, method: string) => Reflect.getMetadata(key, proto[method]) as T;
  return {
    commands: ['runCommand', 'undoCommand'].map(
      (m) => meta<{ type: string }>(COMMAND_HANDLER_METADATA, m).type,
    ),
    work: meta<EventHandlerMetadata>(EVENT_HANDLER_METADATA, 'runOnEvent').types,
    undo: meta<EventHandlerMetadata>(EVENT_HANDLER_METADATA, 'undoOnEvent').types,
  };
}

describe('the trip steps, as the kit mounts them', () => {
  // The names in-flight messages and stored definitions carry: derived, they must stay these.
  const expected: Record<TripParticipant, ReturnType<typeof subscriptions>> = {
    flight: {
      commands: ['flight.reserve', 'flight.cancel'],
      work: ['trip.booking.requested'],
      undo: [
        'trip.hotel.reservation-failed',
        'trip.hotel.cancelled',
        'trip.hotel.cancellation-failed',
        'trip.flight.cancellation-requested',
      ],
    },
    hotel: {
      commands: ['hotel.reserve', 'hotel.cancel'],
      work: ['trip.flight.reserved'],
      undo: [
        'trip.car.reservation-failed',
        'trip.car.cancelled',
        'trip.car.cancellation-failed',
        'trip.payment.failed',
        'trip.payment.refunded',
        'trip.payment.refund-failed',
        'trip.hotel.cancellation-requested',
      ],
    },
    // The car is optional: the hotel also undoes on the payment's outcomes, the payment also
    // works on the hotel's success (each acting only when the booking has no car).
    car: {
      commands: ['car.reserve', 'car.cancel'],
      work: ['trip.hotel.reserved'],
      undo: [
        'trip.payment.failed',
        'trip.payment.refunded',
        'trip.payment.refund-failed',
        'trip.car.cancellation-requested',
      ],
    },
    payment: {
      commands: ['payment.charge', 'payment.refund'],
      work: ['trip.hotel.reserved', 'trip.car.reserved'],
      undo: ['trip.booking.cancellation-requested', 'trip.payment.refund-requested'],
    },
  };

  it.each(TRIP_PARTICIPANTS)(
    '%s answers its commands and the events the saga order implies',
    (step) => {
      expect(subscriptions(step)).toEqual(expected[step]);
    },
  );
});
