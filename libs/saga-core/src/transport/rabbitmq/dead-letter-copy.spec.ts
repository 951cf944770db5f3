import type { ConsumeMessage } from 'amqplib';
import { DeadLetterReason } from '../../errors/poison-message.error';
import { DeadLetterHeader, MAX_DEAD_LETTER_ERROR_LENGTH } from '../dead-letter-headers';
import { deadLetterCopyOf } from './dead-letter-copy';

function delivery(properties: Partial<ConsumeMessage['properties']>): ConsumeMessage {
  return {
    content: Buffer.from('{"a":1}'),
    fields: {
      deliveryTag: 1,
      redelivered: false,
      exchange: '',
      routingKey: 'flight.commands',
      consumerTag: 'c',
    },
    properties: { headers: {}, ...properties } as ConsumeMessage['properties'],
  };
}

describe('deadLetterCopyOf', () => {
  it('copies the message to its dead-letter queue with the reason headers beside its own', () => {
    const copy = deadLetterCopyOf(
      delivery({
        messageId: 'm-1',
        type: 'flight.cancel',
        contentType: 'application/json',
        timestamp: 1_700_000_000,
        headers: { 'x-trace': 'abc' },
        expiration: '1000',
        userId: 'someone-else',
      }),
      'flight.commands',
      DeadLetterReason.UNTRUSTED_REPLY_TO,
      'replyTo "amq.x" is not a reply queue this participant answers on',
    );

    expect(copy.queue).toBe('flight.commands.dead-letter');
    expect(copy.content.toString()).toBe('{"a":1}');
    expect(copy.options).toEqual({
      persistent: true,
      messageId: 'm-1',
      type: 'flight.cancel',
      contentType: 'application/json',
      timestamp: 1_700_000_000,
      headers: {
        'x-trace': 'abc',
        [DeadLetterHeader.REASON]: 'untrusted-reply-to',
        [DeadLetterHeader.ERROR]:
          'replyTo "amq.x" is not a reply queue this participant answers on',
        [DeadLetterHeader.FROM]: 'flight.commands',
      },
    });
  });

  it('gives a message without an id one, and cuts a long error', () => {
    const copy = deadLetterCopyOf(
      delivery({}),
      'q',
      DeadLetterReason.UNREADABLE,
      'e'.repeat(5_000),
    );

    expect(copy.options.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(copy.options.headers?.[DeadLetterHeader.ERROR]).toHaveLength(
      MAX_DEAD_LETTER_ERROR_LENGTH,
    );
  });
});
