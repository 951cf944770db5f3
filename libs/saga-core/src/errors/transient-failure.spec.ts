import { QueryFailedError } from 'typeorm';
import { isTransientFailure } from './transient-failure';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isTransientFailure', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a server shutting down', withCode('terminating connection', '57P01')],
    ['a connection exception (class 08)', withCode('connection failure', '08006')],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect')],
    [
      'a driver error wrapped by TypeORM',
      new QueryFailedError('SELECT 1', [], withCode('read ECONNRESET', 'ECONNRESET')),
    ],
    ['an error given as a cause', new Error('start failed', { cause: withCode('x', 'EPIPE') })],
    ['a lock wait past lock_timeout', withCode('canceling statement due to lock timeout', '55P03')],
    [
      'a statement past statement_timeout',
      withCode('canceling statement due to statement timeout', '57014'),
    ],
    [
      'a session closed for idling in its transaction',
      withCode('terminating connection due to idle-in-transaction timeout', '25P03'),
    ],
  ])('holds for %s', (_what, error) => {
    expect(isTransientFailure(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('duplicate key value', '23505')],
    ['a serialization failure', withCode('could not serialize access', '40001')],
    ['a plain error', new Error('No handler for flight.reserve')],
    ['something that is not an error', 'ECONNRESET'],
    ['nothing', undefined],
  ])('does not hold for %s', (_what, error) => {
    expect(isTransientFailure(error)).toBe(false);
  });
});
