import { isSpanContextValid, trace } from '@opentelemetry/api';

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
