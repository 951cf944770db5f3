import { context, trace } from '@opentelemetry/api';
import type { Params } from 'nestjs-pino';
import type { DestinationStream, LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';
import { currentLogFields, debugLogging } from '@app/saga-core';

export interface LoggingOptions {
  service: string;
  level: LevelWithSilent;
  /** `json` (one object a line, for production) or `pretty` (readable, for development). */
  format: 'json' | 'pretty';
}

/**
 * nestjs-pino's parameters: every line names its service and, inside a message, request or
 * timer, the saga, the message and the trace it belongs to. Requests are not logged one by
 * one (that would be a line per booking at `info`); errors are, by Nest's exception handling.
 */
export function loggerParams(options: LoggingOptions): Params {
  debugLogging.enabled = options.level === 'debug' || options.level === 'trace';
  const stream: DestinationStream | undefined =
    options.format === 'pretty'
      ? pretty({
          sync: true,
          colorize: Boolean(process.stdout.isTTY),
          translateTime: 'SYS:HH:MM:ss.l',
          // One line each: `[time] LEVEL: Context: message {sagaId, messageId, traceId…}`.
          singleLine: true,
          messageFormat: '{if context}{context}: {end}{msg}',
          ignore: 'pid,hostname,service,context',
        })
      : undefined;
  const http = {
    level: options.level,
    base: { service: options.service },
    autoLogging: false,
    quietReqLogger: true,
    mixin: logLineFields,
  };
  return { pinoHttp: stream ? [http, stream] : http };
}

/** The ids of what is being handled, taken at the moment the line is written. */
function logLineFields(): object {
  const fields = currentLogFields();
  const traceId = trace.getSpanContext(context.active())?.traceId ?? fields?.traceId;
  if (!fields) return traceId ? { traceId } : {};
  return traceId ? { ...fields, traceId } : fields;
}
