import FastifyOtelInstrumentation from '@fastify/otel';
import type { Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';

/** Probes and scrapes: answered often, traced never (they would drown the traces people look for). */
const UNTRACED_HTTP_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const UNTRACED_GRPC_METHODS = ['Check', 'Watch', 'ServerReflectionInfo'];

/**
 * What is traced, and nothing else (no fs, dns or net noise): the REST edge
 * (Fastify's own instrumentation), gRPC servers and clients, Postgres
 * statements made inside a traced operation, AMQP publish and consume; pino
 * adds trace_id and span_id to every line logged inside a span.
 */
export function instrumentations(): Instrumentation[] {
  return [
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      // One span per request; a span per lifecycle hook and for the handler would be a dozen more of little use.
      instrumentHooks: false,
      instrumentHandler: false,
      // Named as HTTP server spans are by convention: "POST /orders", "GET /users/:id".
      requestHook: (span: Span, request: { method: string; routeOptions: { url?: string } }) =>
        span.updateName(`${request.method} ${request.routeOptions.url ?? ''}`.trim()),
      ignorePaths: (route: { url: string }) => UNTRACED_HTTP_PATHS.has(route.url),
    }),
    new GrpcInstrumentation({ ignoreGrpcMethods: UNTRACED_GRPC_METHODS }),
    // Pool housekeeping, readiness probes and the relay's idle polling have no parent: no spans for them.
    new PgInstrumentation({ requireParentSpan: true }),
    new AmqplibInstrumentation(),
    new PinoInstrumentation(),
  ];
}
