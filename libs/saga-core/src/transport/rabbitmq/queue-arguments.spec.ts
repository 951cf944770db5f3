import {
  deadLetterQueueArguments,
  DEAD_LETTER_EXCHANGE,
  workQueueArguments,
} from './queue-arguments';

describe('queue arguments', () => {
  it('declares a work queue as a quorum queue that dead-letters by its own name', () => {
    expect(workQueueArguments('flight.commands', 5)).toEqual({
      'x-queue-type': 'quorum',
      'x-delivery-limit': 5,
      'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
      'x-dead-letter-routing-key': 'flight.commands',
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    });
  });

  it('refuses a delivery limit that is not a non-negative integer', () => {
    expect(() => workQueueArguments('q', -1)).toThrow(RangeError);
    expect(() => workQueueArguments('q', 1.5)).toThrow(RangeError);
  });

  it('declares a dead-letter queue as a quorum queue with no limit and no further hop', () => {
    expect(deadLetterQueueArguments()).toEqual({ 'x-queue-type': 'quorum' });
  });
});
