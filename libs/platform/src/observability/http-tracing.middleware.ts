import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { activeTracer, LogFields, runInLogScope } from '@app/saga-core';
import { routeOf } from '../bootstrap/http-platform';

/** Probes and documents: neither traced nor given a scope of their own. */
const UNTRACED = /^\/(health|metrics|docs)(\/|-json|$)/;

/**
 * Runs each request in its own log scope and, while tracing, in a server span that continues
 * the caller's trace (`traceparent`) and is named after the matched route once it is known.
 */
export function httpTracingMiddleware(
  service: string,
): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  return (request, response, next) => {
    const path = (request.url ?? '/').split('?')[0];
    if (UNTRACED.test(path)) return next();
    const fields: LogFields = {};
    const tracer = activeTracer();
    if (!tracer) return runInLogScope(fields, next);
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      request.method ?? 'HTTP',
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'url.path': path,
          'saga.service': service,
        },
      },
      parent,
    );
    fields.traceId = span.spanContext().traceId;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = routeOf(request);
      if (route !== undefined) {
        span.updateName(`${request.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    response.once('finish', end);
    response.once('close', end);
    runInLogScope(fields, () => context.with(trace.setSpan(parent, span), next));
  };
}
