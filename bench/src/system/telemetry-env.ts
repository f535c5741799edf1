import { freePort, type ProcessEnv } from '@acme/testing';
import type { TelemetryMode } from '../model';
import type { OtlpSink } from './otlp-sink';

/**
 * The ratio of the `sampled` stack: what the Kubernetes observability
 * component sets (k8s/components/observability; change both together): most
 * traces dropped at the root, every child follows its parent's decision.
 */
export const DEFAULT_SAMPLE_RATIO = 0.1;

/**
 * The environment that switches a product stack's telemetry on, in the
 * standard variables a deployment would set (nothing bench-specific): the
 * metrics endpoint on a port of its own, or OTLP trace export with the
 * parent-based sampler. Tracing stacks serve no metrics, so each mode costs
 * what it says and no more.
 */
export async function telemetryEnv(mode: TelemetryMode, app: string, sink: OtlpSink | undefined): Promise<ProcessEnv> {
  switch (mode) {
    case 'off':
      return {};
    case 'metrics':
      return { METRICS_PORT: String(await freePort()), METRICS_HOST: '127.0.0.1' };
    case 'sampled':
    case 'full': {
      if (!sink) throw new Error(`the ${mode} stack needs an OTLP sink to export to`);
      const sampler =
        mode === 'full'
          ? { OTEL_TRACES_SAMPLER: 'parentbased_always_on' }
          : { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(DEFAULT_SAMPLE_RATIO) };
      return { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_SERVICE_NAME: app, ...sampler };
    }
  }
}
