import { PoisonMessageError } from '../errors/poison-message.error';
import { RetryableStepError } from '../errors/retryable-step.error';
import { TerminalStepError } from '../errors/terminal-step.error';
import { CommandMessage } from '../transport/message-envelope';
import { buildReply, replyErrorOf, replyToOutgoing } from './command-reply.builder';

const command: CommandMessage = {
  messageId: 'cmd-1',
  type: 'flight.reserve',
  sagaId: 'saga-1',
  step: 'flight',
  stepIndex: 0,
  phase: 'forward',
  attempt: 2,
  replyTo: 'orchestrator.replies',
  payload: { bookingId: 'b-1' },
  sentAt: '2024-01-01T00:00:00.000Z',
};
const at = new Date('2024-01-01T00:00:01.000Z');

describe('replyErrorOf', () => {
  it('turns a terminal step error into a non-retryable reply error', () => {
    expect(replyErrorOf(new TerminalStepError('SOLD_OUT', 'no seats'))).toEqual({
      code: 'SOLD_OUT',
      message: 'no seats',
      retryable: false,
    });
  });

  it('turns a retryable step error into a retryable reply error', () => {
    expect(replyErrorOf(new RetryableStepError('BUSY', 'try later'))).toEqual({
      code: 'BUSY',
      message: 'try later',
      retryable: true,
    });
  });

  it.each([new Error('connection refused'), new PoisonMessageError('bad'), 'boom'])(
    'leaves %p to roll the transaction back',
    (error) => {
      expect(replyErrorOf(error)).toBeNull();
    },
  );
});

describe('buildReply', () => {
  it('echoes the correlation fields and carries the payload of a success', () => {
    expect(buildReply(command, { payload: { price: 250 } }, 'reply-1', at)).toEqual({
      messageId: 'reply-1',
      type: 'flight.reserve.reply',
      inReplyTo: 'cmd-1',
      sagaId: 'saga-1',
      step: 'flight',
      stepIndex: 0,
      phase: 'forward',
      attempt: 2,
      outcome: 'success',
      payload: { price: 250 },
      sentAt: '2024-01-01T00:00:01.000Z',
    });
  });

  it('leaves the payload out when the handler returned nothing', () => {
    const reply = buildReply(command, { payload: undefined }, 'reply-1', at);
    expect(reply.outcome).toBe('success');
    expect('payload' in reply).toBe(false);
  });

  it('carries the error of a failure and no payload', () => {
    const error = { code: 'SOLD_OUT', message: 'no seats', retryable: false };
    const reply = buildReply(command, { error }, 'reply-1', at);
    expect(reply).toMatchObject({ outcome: 'failure', error, inReplyTo: 'cmd-1' });
    expect('payload' in reply).toBe(false);
  });
});

describe('replyToOutgoing', () => {
  it('routes the reply to the command reply queue through the default exchange', () => {
    const reply = buildReply(command, { payload: null }, 'reply-1', at);
    expect(replyToOutgoing(command, reply)).toEqual({
      messageId: 'reply-1',
      exchange: '',
      routingKey: 'orchestrator.replies',
      type: 'flight.reserve.reply',
      body: reply,
    });
  });
});
