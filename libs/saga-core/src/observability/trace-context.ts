import {
  Attributes,
  Context,
  context,
  Link,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { IncomingMessage, OutgoingMessage } from '../transport/message-envelope';
import { bindLogFields, LogFields, runInLogScope } from './log-scope';
import { activeTracer } from './tracing';

/** The label under which a saga keeps the trace it started in, for its timers and operators. */
export const TRACE_LABEL = 'traceparent';

/**
 * Writes the active trace context (W3C `traceparent`) into each message's headers, so the
 * outbox row and the AMQP message carry it and the consumer's span continues the trace.
 */
export function stampTraceContext(messages: readonly OutgoingMessage[]): void {
  if (!activeTracer() || messages.length === 0) return;
  const active = context.active();
  if (!trace.getSpanContext(active)) return;
  for (const message of messages) {
    const headers: Record<string, string | number> = { ...message.headers };
    propagation.inject(active, headers);
    message.headers = headers;
  }
}

/** The trace context to keep with a new saga (its `traceparent` label), if any. */
export function traceLabels(labels: Record<string, string> | undefined): Record<string, string> {
  const carrier: Record<string, string> = { ...labels };
  if (activeTracer()) propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * Handles one delivered message in its own log scope (its id and type on every line) and,
 * while tracing, in a consumer span that continues the trace named by its headers.
 */
export function observeDelivery<T>(
  message: IncomingMessage,
  queue: string,
  service: string,
  work: () => Promise<T>,
): Promise<T> {
  const fields: LogFields = { messageId: message.messageId, messageType: message.type };
  const tracer = activeTracer();
  if (!tracer) return runInLogScope(fields, work);
  const parent = propagation.extract(ROOT_CONTEXT, message.headers);
  const span = tracer.startSpan(
    `process ${message.type || queue}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'process',
        'messaging.destination.name': queue,
        'messaging.message.id': message.messageId,
        'saga.message.type': message.type,
        'saga.service': service,
      },
    },
    parent,
  );
  fields.traceId = span.spanContext().traceId;
  return runInLogScope(fields, () =>
    endWith(span, context.with(trace.setSpan(parent, span), work)),
  );
}

/** Records on the span being handled (if any) that its message failed. */
export function failActiveSpan(error: unknown): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
}

/** Names the saga (and step) that the message, request or timer being handled concerns. */
export function bindSaga(sagaId: string, step?: string): void {
  bindLogFields(step === undefined ? { sagaId } : { sagaId, step });
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttribute('saga.id', sagaId);
  if (step !== undefined) span.setAttribute('saga.step', step);
}

/** Runs `work` in a child span of the active context (a saga's start, inside its request). */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: () => Promise<T>,
): Promise<T> {
  const tracer = activeTracer();
  if (!tracer) return work();
  const span = tracer.startSpan(name, { attributes });
  return endWith(span, context.with(trace.setSpan(context.active(), span), work));
}

/**
 * Runs `work` on a saga outside any message (a timer, an operator's action) in its own log
 * scope and, while tracing, in a span of the trace the saga started in; the caller's span, if
 * any (the operator's request), is linked.
 */
export function inSagaSpan<T>(
  name: string,
  saga: { id: string; labels: Record<string, string> },
  service: string,
  work: () => Promise<T>,
): Promise<T> {
  const fields: LogFields = { sagaId: saga.id };
  const tracer = activeTracer();
  if (!tracer) return runInLogScope(fields, work);
  const caller = trace.getSpanContext(context.active());
  const links: Link[] = caller ? [{ context: caller }] : [];
  const parent: Context = propagation.extract(ROOT_CONTEXT, saga.labels);
  const span = tracer.startSpan(
    name,
    { attributes: { 'saga.id': saga.id, 'saga.service': service }, links },
    parent,
  );
  fields.traceId = span.spanContext().traceId;
  return runInLogScope(fields, () =>
    endWith(span, context.with(trace.setSpan(parent, span), work)),
  );
}

async function endWith<T>(span: Span, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
    throw error;
  } finally {
    span.end();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
