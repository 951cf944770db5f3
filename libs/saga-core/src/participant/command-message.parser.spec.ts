import { PoisonMessageError } from '../errors/poison-message.error';
import { CommandMessage } from '../transport/message-envelope';
import { parseCommandMessage } from './command-message.parser';

const handled = new Set(['flight.reserve', 'flight.cancel']);

function command(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const valid: CommandMessage = {
    messageId: 'm-1',
    type: 'flight.reserve',
    sagaId: 's-1',
    step: 'flight',
    stepIndex: 0,
    phase: 'forward',
    attempt: 1,
    replyTo: 'orchestrator.replies',
    payload: { bookingId: 'b-1' },
    sentAt: '2024-01-01T00:00:00.000Z',
  };
  return { ...valid, ...overrides };
}

describe('parseCommandMessage', () => {
  it('accepts a well-formed command of a handled type', () => {
    const body = command();
    expect(parseCommandMessage(body, handled)).toEqual(body);
  });

  it('accepts a compensation command with a null payload', () => {
    expect(
      parseCommandMessage(command({ phase: 'compensation', payload: null }), handled).phase,
    ).toBe('compensation');
  });

  it.each([null, 'text', 42, [command()]])('rejects %p as poison: not an object', (body) => {
    expect(() => parseCommandMessage(body, handled)).toThrow(PoisonMessageError);
  });

  it.each([
    ['messageId', undefined],
    ['messageId', ''],
    ['type', 7],
    ['sagaId', null],
    ['step', {}],
    ['replyTo', undefined],
    ['sentAt', 12],
    ['stepIndex', -1],
    ['stepIndex', '0'],
    ['attempt', 1.5],
    ['phase', 'sideways'],
  ])('rejects a command whose %s is %p', (field, value) => {
    expect(() => parseCommandMessage(command({ [field]: value }), handled)).toThrow(
      new RegExp(`${field} must be`),
    );
  });

  it('rejects a command without a payload', () => {
    const body = command();
    delete body.payload;
    expect(() => parseCommandMessage(body, handled)).toThrow(/payload is missing/);
  });

  it('lists every problem at once', () => {
    expect(() => parseCommandMessage({ payload: {} }, handled)).toThrow(
      /messageId.*type.*sagaId.*step.*replyTo.*sentAt.*stepIndex.*attempt.*phase/,
    );
  });

  it('rejects a type this participant does not handle', () => {
    expect(() => parseCommandMessage(command({ type: 'hotel.reserve' }), handled)).toThrow(
      new PoisonMessageError('no handler for command type hotel.reserve'),
    );
  });
});
