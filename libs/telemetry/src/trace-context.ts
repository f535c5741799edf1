import { context, isSpanContextValid, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';

/**
 * The W3C traceparent of the active span (`00-<trace id>-<span id>-<flags>`),
 * for a client to quote; undefined when nothing is traced (telemetry off, or
 * an untraced path).
 */
export function activeTraceparent(): string | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || !isSpanContextValid(span)) return undefined;
  return `00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, '0')}`;
}

/**
 * Runs `work` as a continuation of the trace `traceparent` names (a W3C
 * traceparent kept from elsewhere: an outbox row, a message header), so the
 * spans it starts join that trace. Without one, or with telemetry off, it
 * simply runs `work`.
 */
export function runInTrace<T>(traceparent: string | null | undefined, work: () => T): T {
  if (!traceparent) return work();
  return context.with(propagation.extract(ROOT_CONTEXT, { traceparent }), work);
}
