import { type Meter, metrics } from '@opentelemetry/api';

/**
 * The meter of one library, e.g. meterOf('@acme/grpc-kit'). Ask for it when
 * creating instruments at startup, never at module load: the metrics API
 * hands out no-op meters until startMetrics has registered the provider, and
 * an instrument created from one stays a no-op.
 */
export const meterOf = (scope: string): Meter => metrics.getMeter(scope);

/**
 * Histogram bucket bounds. The semantic conventions' advice for durations,
 * plus 300 ms, the latency SLO's threshold (deploy/observability): a
 * "faster than 300 ms" ratio needs a bucket that ends there.
 */
export const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.3, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** The same bounds in milliseconds, for rpc.* durations (whose convention unit is ms). */
export const DURATION_BUCKETS_MS = DURATION_BUCKETS_SECONDS.map((s) => Math.round(s * 1000));
