import type { IncomingHttpHeaders } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Span } from '@opentelemetry/api';

/**
 * OpenTelemetry tracing, off unless an OTLP endpoint is configured by the standard variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_SDK_DISABLED=true or
 * OTEL_TRACES_EXPORTER=none turn it off again). Off, no SDK is loaded: @opentelemetry/api's
 * no-op tracer and propagator answer every call, and our helpers return before touching them.
 */
let enabled = false;

export const tracingEnabled = (): boolean => enabled;

export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return Boolean(endpoint) && !/^true$/i.test(env.OTEL_SDK_DISABLED ?? '') && env.OTEL_TRACES_EXPORTER !== 'none';
}

export interface Tracing {
  /** Sends the spans still buffered (tests). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Starts the SDK for this process when configured: spans batched to OTLP over HTTP (JSON), W3C
 * trace context (`traceparent`) in and out, async context through AsyncLocalStorage. One per
 * process: `npm start` runs every server in one, told apart by the tracer (scope) names
 * `fashionistar.router`, `fashionistar.catalog`, ….
 */
export async function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Promise<Tracing | null> {
  if (!tracingConfigured(env) || enabled) return null;
  const [{ BasicTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { AsyncLocalStorageContextManager }, core, { Resource }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/resources'),
    ]);
  const provider = new BasicTracerProvider({
    resource: new Resource({ 'service.name': env.OTEL_SERVICE_NAME || serviceName }),
    // Reads the rest of OTEL_EXPORTER_OTLP_* (headers, timeout) itself.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register({ contextManager: new AsyncLocalStorageContextManager(), propagator: new core.W3CTraceContextPropagator() });
  enabled = true;
  return {
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      enabled = false;
    },
  };
}

export const tracerName = (service: string): string => `fashionistar.${service}`;

async function inSpan<T>(span: Span, fn: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await fn(span);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Runs an incoming request's handling in a server span, continuing the caller's trace when it
 * sent `traceparent` (the router's fetch, another subgraph, or a browser at the router).
 */
export function inServerSpan<T>(
  service: string,
  name: string,
  headers: IncomingHttpHeaders,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  if (!enabled) return fn();
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  return trace
    .getTracer(tracerName(service))
    .startActiveSpan(name, { kind: SpanKind.SERVER, attributes }, parent, (span) => inSpan(span, fn));
}

/** Runs an outgoing call in a client span (inject the trace context into its headers inside `fn`). */
export function inClientSpan<T>(service: string, name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  if (!enabled) return fn();
  return trace.getTracer(tracerName(service)).startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, (span) => inSpan(span, fn));
}

/** Adds `traceparent` (and `tracestate`) of the active span to outgoing headers. */
export function injectTraceContext(headers: { set(name: string, value: string): unknown } | Record<string, string>): void {
  if (!enabled) return;
  const setter =
    typeof headers.set === 'function'
      ? { set: (c: typeof headers, k: string, v: string) => (c as { set(n: string, v: string): unknown }).set(k, v) }
      : { set: (c: typeof headers, k: string, v: string) => void ((c as Record<string, string>)[k] = v) };
  propagation.inject(context.active(), headers, setter);
}

/** A finished span of something timed elsewhere (an SQL statement TypeORM reports once done). */
export function recordSpan(
  service: string,
  name: string,
  startedAt: number,
  endedAt: number,
  attributes: Attributes,
  failed = false,
): void {
  if (!enabled) return;
  const span = trace.getTracer(tracerName(service)).startSpan(name, { kind: SpanKind.CLIENT, attributes, startTime: startedAt });
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(endedAt);
}

/** Starts a child span of the active one; the caller ends it (Apollo hooks that end later). */
export function startChildSpan(service: string, name: string, attributes: Attributes = {}): Span | null {
  if (!enabled) return null;
  return trace.getTracer(tracerName(service)).startSpan(name, { attributes });
}

/** The active span (the request's server span), to name it once the operation is known. */
export const activeSpan = (): Span | undefined => (enabled ? trace.getActiveSpan() : undefined);
