/**
 * Socket errors of a connection that could not be made or was lost. The message itself is not
 * at fault: the same work can succeed once the server is reachable again.
 */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs that mean "the server is (going) away": admin_shutdown, crash_shutdown,
 * cannot_connect_now, too_many_connections. Class 08 (connection exception) is matched whole.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * SQLSTATEs that mean "not now": the statement waited too long (lock_not_available from
 * `lock_timeout`, query_canceled from `statement_timeout`), or the session was closed for
 * sitting idle (idle_in_transaction_session_timeout, idle_session_timeout). The same work can
 * succeed when it is tried again, once whatever held it up is gone (a frozen peer's locks).
 */
const RETRY_LATER_SQLSTATES = new Set(['55P03', '57014', '25P03', '57P05']);

/** What node-postgres and its pool say, without a code, when a connection is lost or slow. */
const CONNECTION_LOST_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error/i,
  /connection (is )?(closed|not open)/i,
  /cannot use a pool after calling end/i,
];

/**
 * True when `error` says that a server this process depends on (PostgreSQL above all) is
 * unreachable or cannot do the work now, rather than that the request or message is wrong.
 * Such work is retried later (a message is held, never dead-lettered for it), and an HTTP
 * request gets a 503. TypeORM wraps driver errors: the causes are looked at too.
 */
export function isTransientFailure(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, message, driverError, cause } = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string') {
    if (CONNECTION_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    if (RETRY_LATER_SQLSTATES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof message === 'string' && CONNECTION_LOST_MESSAGES.some((m) => m.test(message))) {
    return true;
  }
  return isTransientFailure(driverError, depth + 1) || isTransientFailure(cause, depth + 1);
}
