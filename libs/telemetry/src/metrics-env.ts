import { portVar } from '@acme/config';
import { z } from 'zod';

/**
 * The metrics endpoint's variables (merge into the app's own schema).
 * Metrics are off unless METRICS_PORT is set (0 also means off: no endpoint,
 * and every instrument is a no-op). Off by default for now: in the same-run
 * bench they cost GetUser more than the 3 % the observability issue allows
 * (docs/benchmarks.md), and nothing scrapes them until the deployments do.
 */
export const metricsEnv = () => ({
  METRICS_HOST: z.string().trim().min(1).optional().transform((v) => v ?? '0.0.0.0'),
  METRICS_PORT: portVar(0, true),
});

type Shape = ReturnType<typeof metricsEnv>;
export type MetricsEnv = { [K in keyof Shape]: z.output<Shape[K]> };

/** Where a process serves its metrics; undefined when they are off. */
export interface MetricsOptions {
  /** The resource's service.name (OTEL_SERVICE_NAME overrides it). */
  readonly serviceName: string;
  readonly host: string;
  readonly port: number;
}

export function metricsOptionsFromEnv(serviceName: string, env: MetricsEnv): MetricsOptions | undefined {
  return env.METRICS_PORT === 0 ? undefined : { serviceName, host: env.METRICS_HOST, port: env.METRICS_PORT };
}
