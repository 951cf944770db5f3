import { context, propagation, trace, Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  SpanProcessor,
} from '@opentelemetry/sdk-trace-node';

export interface TracingOptions {
  /** The process's `service.name` in every span it exports. */
  serviceName: string;
  /**
   * OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`): spans go to `<endpoint>/v1/traces`.
   * Without it (and without `spanProcessors`) no span is recorded: only the context travels.
   */
  otlpEndpoint?: string;
  /** Where spans go instead of OTLP, e.g. an in-memory exporter in a test. */
  spanProcessors?: SpanProcessor[];
}

export interface TracingHandle {
  /** Flushes what is recorded and unregisters the provider. */
  shutdown(): Promise<void>;
}

interface Registered {
  provider: NodeTracerProvider;
  tracer: Tracer;
  /** Apps of this process using it; the last one to stop shuts it down. */
  users: number;
  /** Registered by `registerTracing` (a test): apps never shut it down. */
  external: boolean;
}

const TRACER_NAME = 'nest-saga';
let registered: Registered | null = null;

/**
 * The tracer while a provider is registered, or null: the hooks on the message path check it
 * first, so a process that never registered one pays nothing for tracing.
 */
export function activeTracer(): Tracer | null {
  return registered?.tracer ?? null;
}

/**
 * Registers this process's tracer provider (context in AsyncLocalStorage, W3C `traceparent`
 * propagation). With an OTLP endpoint or span processors, spans are recorded and exported;
 * without, they are not sampled, which keeps trace ids in the messages and the logs at the
 * cost of the header alone. Several apps in one process (the end-to-end tests) share the first
 * registration; a test registers its own first with `registerTracing` to read the spans.
 */
export function acquireTracing(options: TracingOptions): () => Promise<void> {
  if (!registered) registered = register(options, false);
  const current = registered;
  current.users++;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    current.users--;
    if (current.users === 0 && !current.external && registered === current) await unregister();
  };
}

/** A provider of the caller's, shared by every app started after it in this process. */
export function registerTracing(options: TracingOptions): TracingHandle {
  if (registered) throw new Error('a tracer provider is already registered in this process');
  const mine = register(options, true);
  registered = mine;
  return {
    shutdown: async () => {
      if (registered === mine) await unregister();
    },
  };
}

function register(options: TracingOptions, external: boolean): Registered {
  const processors =
    options.spanProcessors ??
    (options.otlpEndpoint
      ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(options.otlpEndpoint) }))]
      : []);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    // Nothing records the spans: do not sample them, keep only their context.
    ...(processors.length === 0 ? { sampler: new AlwaysOffSampler() } : {}),
    spanProcessors: processors,
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return { provider, tracer: provider.getTracer(TRACER_NAME), users: 0, external };
}

async function unregister(): Promise<void> {
  const current = registered;
  registered = null;
  if (!current) return;
  await current.provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}
