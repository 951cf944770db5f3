import type { ConsumeMessage } from 'amqplib';
import { PoisonMessageError } from '../../errors/poison-message.error';
import { isPoisonMessageError, toIncomingMessage } from './incoming-delivery';

function delivery(
  content: string,
  properties: Partial<ConsumeMessage['properties']> = {},
  redelivered = false,
): ConsumeMessage {
  return {
    content: Buffer.from(content),
    fields: { deliveryTag: 1, redelivered, exchange: '', routingKey: 'q', consumerTag: 'c' },
    properties: { headers: {}, ...properties } as ConsumeMessage['properties'],
  };
}

describe('toIncomingMessage', () => {
  it('takes the id and type from the AMQP properties and counts the first delivery as 1', () => {
    const body = { messageId: 'body-id', type: 'body.type', sagaId: 's-1' };
    const message = toIncomingMessage(
      delivery(JSON.stringify(body), {
        messageId: 'm-1',
        type: 'flight.reserve',
        headers: { a: 1 },
      }),
    );
    expect(message).toEqual({
      messageId: 'm-1',
      type: 'flight.reserve',
      body,
      headers: { a: 1 },
      deliveryCount: 1,
      redelivered: false,
    });
  });

  it('falls back to the id and type in the body', () => {
    const message = toIncomingMessage(delivery('{"messageId":"m-2","type":"t"}'));
    expect(message).toMatchObject({ messageId: 'm-2', type: 't' });
  });

  it('counts deliveries from the x-delivery-count header', () => {
    const message = toIncomingMessage(
      delivery('{"messageId":"m-3"}', { headers: { 'x-delivery-count': 2 } }, true),
    );
    expect(message).toMatchObject({ deliveryCount: 3, redelivered: true, type: '' });
  });

  it.each([['not json'], ['[1,2]'], ['"text"'], ['null'], ['42']])(
    'refuses a body that is not a JSON object: %s',
    (content) => {
      expect(toIncomingMessage(delivery(content, { messageId: 'm' }))).toBeUndefined();
    },
  );

  it('refuses a message that nothing identifies', () => {
    expect(toIncomingMessage(delivery('{"type":"t"}'))).toBeUndefined();
  });
});

describe('isPoisonMessageError', () => {
  it('recognises the error by its code, not its class', () => {
    expect(isPoisonMessageError(new PoisonMessageError('bad'))).toBe(true);
    expect(isPoisonMessageError({ code: 'POISON_MESSAGE' })).toBe(true);
    expect(isPoisonMessageError(new Error('boom'))).toBe(false);
    expect(isPoisonMessageError(undefined)).toBe(false);
  });
});
