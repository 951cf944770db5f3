import { choreographyTopology, EVENT_HANDLER_METADATA, EventHandlerMetadata } from '@app/saga-core';
import { TripParticipant } from '@app/trip-api';
import { FlightEventHandler } from '../../../flight-service/src/flight-event.handler';
import { HotelEventHandler } from '../../../hotel-service/src/hotel-event.handler';
import { PaymentEventHandler } from '../../../payment-service/src/payment-event.handler';
import { tripBookingChoreography } from './trip-booking.choreography';

type Handler = abstract new (...args: never[]) => object;

/** The event types each method of a participant's event handler subscribes to. */
function subscriptions(handler: Handler): string[][] {
  const proto = handler.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(proto)
    .map((name) => Reflect.getMetadata(EVENT_HANDLER_METADATA, proto[name] as object) as unknown)
    .filter((m): m is EventHandlerMetadata => m !== undefined)
    .map((m) => m.types);
}

const handlers: Record<TripParticipant, Handler> = {
  flight: FlightEventHandler,
  hotel: HotelEventHandler,
  payment: PaymentEventHandler,
};

describe("the trip participants' event subscriptions", () => {
  const topology = choreographyTopology(tripBookingChoreography().spec);

  it('has one entry per saga step, each with an event handler', () => {
    expect(topology.map((t) => t.step).sort()).toEqual(Object.keys(handlers).sort());
  });

  it.each(topology)('$step works and undoes on the events the saga order implies', (t) => {
    const types = (refs: { type: string }[]) => refs.map((r) => r.type).sort();
    const handled = subscriptions(handlers[t.step as TripParticipant]).map((ts) => ts.sort());
    expect(handled).toHaveLength(2);
    expect(handled).toContainEqual(types(t.work));
    expect(handled).toContainEqual(types(t.undo));
  });
});
