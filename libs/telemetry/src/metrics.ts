import { metrics } from '@opentelemetry/api';
import type { MetricsOptions } from './metrics-env';

/** A process's metrics endpoint, once startMetrics has set it up. */
export interface MetricsEndpoint {
  /** Resolves to the scrape URL, or to why nothing listens (the port is taken): metrics are then only lost, never the process. */
  readonly listening: Promise<{ readonly url: string } | { readonly error: string }>;
  /** Stops the endpoint and the runtime collectors. */
  shutdown(): Promise<void>;
}

/**
 * Registers the process's MeterProvider, read by a Prometheus endpoint of its
 * own (host:port/metrics, never the public port), with the event-loop, V8 and
 * GC metrics of instrumentation-runtime-node and the process CPU and memory of
 * host-metrics. Independent of tracing: metrics are on unless the port is 0.
 *
 * Call it before any instrument is created (before the Nest app is built:
 * see meterOf); the bootstraps in grpc-kit and api-gateway do.
 */
export function startMetrics(options: MetricsOptions): MetricsEndpoint {
  // Required here, not imported above: the metrics SDK, its exporter and collectors are
  // ~300 modules (~10 MB of RSS at ready) that a process with metrics off (the default) never uses.
  const { HostMetrics } = require('@opentelemetry/host-metrics') as typeof import('@opentelemetry/host-metrics');
  const { RuntimeNodeInstrumentation } = require('@opentelemetry/instrumentation-runtime-node') as typeof import('@opentelemetry/instrumentation-runtime-node');
  const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus') as typeof import('@opentelemetry/exporter-prometheus');
  const { envDetector, detectResources, resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { MeterProvider } = require('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
  const exporter = new PrometheusExporter({
    host: options.host,
    port: options.port,
    preventServerStart: true,
    // Labels are the attributes only: the instrumentation scope says which library, not what happened.
    withoutScopeInfo: true,
  });
  const resource = resourceFromAttributes({ 'service.name': options.serviceName }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new MeterProvider({ resource, readers: [exporter] });
  metrics.setGlobalMeterProvider(provider);
  const runtime = new RuntimeNodeInstrumentation({ monitoringPrecision: 10 });
  runtime.setMeterProvider(provider);
  new HostMetrics({ meterProvider: provider, metricGroups: ['process.cpu', 'process.memory'] }).start();

  const listening = exporter.startServer().then(
    () => ({ url: `http://${options.host}:${options.port}/metrics` }),
    (error: Error) => ({ error: `metrics are not served on ${options.host}:${options.port}: ${error.message}` }),
  );
  return {
    listening,
    shutdown: async () => {
      runtime.disable();
      await provider.shutdown(); // also stops the exporter's server
      metrics.disable();
    },
  };
}
