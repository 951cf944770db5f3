import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line about a saga carries: bound where a message, request or timer enters. */
export interface LogFields {
  sagaId?: string;
  messageId?: string;
  messageType?: string;
  step?: string;
  /** Kept apart from the span, for lines written after the span has ended (the ack). */
  traceId?: string;
}

const scope = new AsyncLocalStorage<LogFields>();

/** Runs `work` with `fields` on every log line it writes, however deep and however async. */
export function runInLogScope<T>(fields: LogFields, work: () => T): T {
  return scope.run(fields, work);
}

/**
 * Adds what became known later (the saga id, once the message is parsed) to the scope of the
 * message or request being handled; outside any scope it does nothing.
 */
export function bindLogFields(fields: LogFields): void {
  const current = scope.getStore();
  if (current) Object.assign(current, fields);
}

/** The fields of the scope being handled, if any. */
export function currentLogFields(): LogFields | undefined {
  return scope.getStore();
}

/**
 * Whether debug lines are written: lines per message or transition check it first, so that
 * at the usual `info` level they cost nothing, not even their message string.
 */
export const debugLogging = { enabled: false };
