import { metrics } from '@opentelemetry/api';
import { HostMetrics } from '@opentelemetry/host-metrics';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { envDetector, detectResources, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
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
