import { defineChoreography, StepEvents } from '../choreography/choreography-definition.builder';
import { eventEndpoint } from '../transport/event-message';
import { DefinitionError } from '../errors/definition.error';
import { commandEndpoint } from './command-endpoint';
import { choreographyTopology } from './choreography-topology';
import { defineSaga } from './saga-definition.builder';

const event = (type: string) => eventEndpoint<unknown>('trip.events', type);
const eventsOf = (step: string): StepEvents<unknown> => ({
  succeeded: event(`${step}.done`),
  failed: event(`${step}.failed`),
  compensated: event(`${step}.undone`),
  compensationFailed: event(`${step}.undo-failed`),
  compensationRequested: event(`${step}.undo-requested`),
});
const ref = (type: string) => ({ exchange: 'trip.events', type });

/** Flight, hotel, then a seat step inserted before the payment. */
function fourSteps() {
  const saga = defineSaga<unknown>('trip', 1).withDefaults({ timeoutMs: 3_000 });
  for (const name of ['flight', 'hotel', 'seat', 'payment']) {
    saga
      .step(name)
      .invokeParticipant(commandEndpoint(`${name}.commands`, `${name}.do`), () => ({}))
      .withCompensation(commandEndpoint(`${name}.commands`, `${name}.undo`), () => ({}));
  }
  const spec = saga.build().spec;
  spec.steps[2].timeoutMs = 7_000;
  return spec;
}
const names = ['flight', 'hotel', 'seat', 'payment'];
const choreography = () =>
  defineChoreography<unknown>('trip-choreography', 1)
    .startsWith(event('trip.requested'), (d) => d)
    .cancelledWith(event('trip.cancel'), (d) => d)
    .stepsOf(fourSteps(), Object.fromEntries(names.map((n) => [n, eventsOf(n)])))
    .build();

describe('a choreography derived from a saga definition', () => {
  it('keeps the saga step order, names and timeouts, with each step its events', () => {
    const { spec } = choreography();
    expect(spec.steps.map((s) => [s.name, s.timeoutMs, s.succeeded.type])).toEqual([
      ['flight', 3_000, 'flight.done'],
      ['hotel', 3_000, 'hotel.done'],
      ['seat', 7_000, 'seat.done'],
      ['payment', 3_000, 'payment.done'],
    ]);
  });

  it('runs each step on the success before it and undoes it on the failure or undo after it', () => {
    expect(choreographyTopology(choreography().spec)).toEqual([
      {
        step: 'flight',
        work: [ref('trip.requested')],
        undo: [
          ref('hotel.failed'),
          ref('hotel.undone'),
          ref('hotel.undo-failed'),
          ref('flight.undo-requested'),
        ],
      },
      {
        step: 'hotel',
        work: [ref('flight.done')],
        undo: [
          ref('seat.failed'),
          ref('seat.undone'),
          ref('seat.undo-failed'),
          ref('hotel.undo-requested'),
        ],
      },
      {
        step: 'seat',
        work: [ref('hotel.done')],
        undo: [
          ref('payment.failed'),
          ref('payment.undone'),
          ref('payment.undo-failed'),
          ref('seat.undo-requested'),
        ],
      },
      {
        step: 'payment',
        work: [ref('seat.done')],
        undo: [ref('trip.cancel'), ref('payment.undo-requested')],
      },
    ]);
  });

  it('refuses a step without events, and events for a step the saga does not have', () => {
    const builder = () =>
      defineChoreography<unknown>('trip-choreography', 1)
        .startsWith(event('trip.requested'), (d) => d)
        .cancelledWith(event('trip.cancel'), (d) => d);
    const all = Object.fromEntries(names.map((n) => [n, eventsOf(n)]));
    const { seat, ...withoutSeat } = all;
    expect(seat).toBeDefined();
    expect(() => builder().stepsOf(fourSteps(), withoutSeat)).toThrow(
      new DefinitionError('trip-choreography: step seat has no events'),
    );
    expect(() => builder().stepsOf(fourSteps(), { ...all, car: eventsOf('car') })).toThrow(
      new DefinitionError('trip-choreography: car is not a step of trip'),
    );
  });
});
