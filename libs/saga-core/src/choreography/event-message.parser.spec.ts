import { parseEventMessage } from './event-message.parser';

const valid = {
  messageId: 'm-1',
  type: 'trip.flight.reserved',
  correlationId: 'b-1',
  source: 'flight-service',
  payload: { bookingId: 'b-1' },
  occurredAt: '2030-01-01T00:00:00.000Z',
};
const handled = new Set(['trip.flight.reserved']);

describe('parseEventMessage', () => {
  it('accepts a well-formed event of a handled type', () => {
    expect(parseEventMessage(valid, handled)).toEqual(valid);
  });

  it.each(['messageId', 'type', 'correlationId', 'source', 'occurredAt', 'payload'])(
    'refuses an event without %s',
    (field) => {
      const { [field as keyof typeof valid]: _dropped, ...rest } = valid;
      expect(() => parseEventMessage(rest, handled)).toThrow(
        expect.objectContaining({ code: 'POISON_MESSAGE' }),
      );
    },
  );

  it('refuses what is not an object', () => {
    for (const body of [null, 'text', 42, [valid]]) {
      expect(() => parseEventMessage(body, handled)).toThrow(/not an object/);
    }
  });

  it('refuses a type it does not handle', () => {
    expect(() => parseEventMessage({ ...valid, type: 'trip.car.rented' }, handled)).toThrow(
      /no handler/,
    );
  });
});
