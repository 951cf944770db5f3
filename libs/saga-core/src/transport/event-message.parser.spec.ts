import { PoisonMessageError } from '../errors/poison-message.error';
import { EventMessage } from './event-message';
import { parseEventMessage } from './event-message.parser';

const handled = new Set(['trip.flight.reserved', 'trip.payment.failed']);

function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const valid: EventMessage = {
    messageId: 'm-1',
    type: 'trip.flight.reserved',
    correlationId: 'b-1',
    source: 'flight-service',
    payload: { bookingId: 'b-1' },
    occurredAt: '2030-01-01T00:00:00.000Z',
  };
  return { ...valid, ...overrides };
}

describe('parseEventMessage', () => {
  it('accepts a well-formed event of a handled type, as it is', () => {
    const body = event();
    expect(parseEventMessage(body, handled)).toBe(body);
  });

  it('leaves the payload to the handler, even null', () => {
    expect(parseEventMessage(event({ payload: null }), handled).payload).toBeNull();
  });

  it.each([null, 'text', 42, [event()]])('rejects %p as poison: not an object', (body) => {
    expect(() => parseEventMessage(body, handled)).toThrow(
      new PoisonMessageError('event is not an object'),
    );
  });

  it.each([
    ['messageId', undefined],
    ['messageId', ''],
    ['type', 7],
    ['correlationId', null],
    ['source', {}],
    ['occurredAt', 12],
  ])('rejects an event whose %s is %p as poison', (field, value) => {
    expect(() => parseEventMessage(event({ [field]: value }), handled)).toThrow(
      new PoisonMessageError(`malformed event: ${field} must be a non-empty string`),
    );
  });

  it('rejects an event without a payload, naming every problem', () => {
    const body = event({ source: undefined });
    delete body.payload;
    expect(() => parseEventMessage(body, handled)).toThrow(
      'malformed event: source must be a non-empty string; payload is missing',
    );
  });

  it('rejects a well-formed event of a type this consumer does not handle', () => {
    expect(() => parseEventMessage(event({ type: 'trip.hotel.reserved' }), handled)).toThrow(
      new PoisonMessageError('no handler for event type trip.hotel.reserved'),
    );
  });
});
