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

const paymentOutcomes = [
  'trip.payment.failed',
  'trip.payment.refunded',
  'trip.payment.refund-failed',
];

describe('the trip steps, as the kit mounts them', () => {
  // The names in-flight messages and stored definitions carry: derived, they must stay these.
  const expected: Record<TripParticipant, ReturnType<typeof subscriptions>> = {
    // Flight, hotel and car start together on the booking request; each undoes on the
    // payment's outcomes and on the refusal of either of the other two.
    flight: {
      commands: ['flight.reserve', 'flight.cancel'],
      work: ['trip.booking.requested'],
      undo: [
        ...paymentOutcomes,
        'trip.hotel.reservation-failed',
        'trip.car.reservation-failed',
        'trip.flight.cancellation-requested',
      ],
    },
    hotel: {
      commands: ['hotel.reserve', 'hotel.cancel'],
      work: ['trip.booking.requested'],
      undo: [
        ...paymentOutcomes,
        'trip.flight.reservation-failed',
        'trip.car.reservation-failed',
        'trip.hotel.cancellation-requested',
      ],
    },
    car: {
      commands: ['car.reserve', 'car.cancel'],
      work: ['trip.booking.requested'],
      undo: [
        ...paymentOutcomes,
        'trip.flight.reservation-failed',
        'trip.hotel.reservation-failed',
        'trip.car.cancellation-requested',
      ],
    },
    // The payment charges once all three (or flight and hotel, without a car) have priced.
    payment: {
      commands: ['payment.charge', 'payment.refund'],
      work: ['trip.flight.reserved', 'trip.hotel.reserved', 'trip.car.reserved'],
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
