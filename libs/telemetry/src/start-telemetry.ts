import type { NodeSDK } from '@opentelemetry/sdk-node';
import { tracesExportConfigured } from './telemetry-env';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry tracing for this process when the environment asks for
 * it (see tracesExportConfigured), configured by the standard OTEL_* variables:
 * exporter and endpoint, OTEL_SERVICE_NAME (default `serviceName`),
 * OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER/_ARG (default parent-based,
 * always on), W3C trace context. Metrics are scraped (Prometheus) and logs
 * written to stdout, so their OTLP exporters stay off unless set explicitly.
 *
 * Must run before the instrumented modules (grpc-js, pg, amqplib, pino,
 * fastify) are first required: each app's main.ts imports its telemetry.ts
 * first, and that file calls this.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  if (sdk || !tracesExportConfigured(env)) return;
  env['OTEL_METRICS_EXPORTER'] ??= 'none';
  env['OTEL_LOGS_EXPORTER'] ??= 'none';
  // Loaded only when tracing is on: the SDK and its exporters weigh ~20 MB and
  // some start-up time that a process with telemetry off should not pay.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { instrumentations } = require('./instrumentations') as typeof import('./instrumentations');
  sdk = new NodeSDK({
    serviceName: env['OTEL_SERVICE_NAME']?.trim() ? undefined : serviceName,
    instrumentations: instrumentations(),
  });
  sdk.start();
}

/** Exports the spans still buffered and stops the SDK; the last step of a graceful shutdown. Harmless when not started. */
export async function shutdownTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}
