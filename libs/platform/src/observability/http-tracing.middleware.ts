import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { activeTracer, LogFields, runInLogScope } from '@app/saga-core';

/** Probes and documents: neither traced nor given a scope of their own. */
const UNTRACED = /^\/(health|metrics|docs)(\/|-json|$)/;

/**
 * Runs each request in its own log scope and, while tracing, in a server span that continues
 * the caller's trace (`traceparent`) and is named after the matched route once it is known.
 */
export function httpTracingMiddleware(
  service: string,
): (request: Request, response: Response, next: NextFunction) => void {
  return (request, response, next) => {
    if (UNTRACED.test(request.path)) return next();
    const fields: LogFields = {};
    const tracer = activeTracer();
    if (!tracer) return runInLogScope(fields, next);
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'url.path': request.path,
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
      const route = (request.route as { path?: unknown } | undefined)?.path;
      if (typeof route === 'string') {
        span.updateName(`${request.method} ${request.baseUrl}${route}`);
        span.setAttribute('http.route', `${request.baseUrl}${route}`);
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
