import type { ChannelOptions } from '@grpc/grpc-js';
import { clientKeepaliveOptions } from '../keepalive/keepalive-policy';

export interface RetryPolicy {
  /** Total attempts including the first, 2..5 (gRPC caps it at 5). */
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, initialBackoffMs: 50, maxBackoffMs: 1_000 };

const seconds = (ms: number) => `${(ms / 1000).toFixed(3)}s`;

/**
 * The gRPC service config for one upstream service:
 * - round_robin over every address the target resolves to (each replica
 *   behind a headless Service), instead of pick_first's single connection;
 * - retries with exponential backoff, on UNAVAILABLE only, and only for the
 *   methods listed: reads, and writes made idempotent by a key. Anything else
 *   is never retried blindly. Retries stay inside the call's deadline.
 */
export function clientServiceConfig(
  fullServiceName: string,
  retryableMethods: readonly string[],
  retry: RetryPolicy = DEFAULT_RETRY_POLICY,
): object {
  return {
    loadBalancingConfig: [{ round_robin: {} }],
    // Stop retrying when most calls fail (upstream down): retries would only
    // multiply the load and burn the callers' deadlines.
    ...(retryableMethods.length === 0 ? {} : { retryThrottling: { maxTokens: 10, tokenRatio: 0.1 } }),
    methodConfig:
      retryableMethods.length === 0
        ? []
        : [
            {
              name: retryableMethods.map((method) => ({ service: fullServiceName, method })),
              retryPolicy: {
                maxAttempts: retry.maxAttempts,
                initialBackoff: seconds(retry.initialBackoffMs),
                maxBackoff: seconds(retry.maxBackoffMs),
                backoffMultiplier: 2,
                retryableStatusCodes: ['UNAVAILABLE'],
              },
            },
          ],
  };
}

/** Channel options for a long-lived client channel to one upstream. */
export function clientChannelOptions(
  fullServiceName: string,
  retryableMethods: readonly string[],
  retry?: RetryPolicy,
): ChannelOptions {
  return {
    'grpc.service_config': JSON.stringify(clientServiceConfig(fullServiceName, retryableMethods, retry)),
    'grpc.enable_retries': 1,
    // Notice a dead peer (e.g. a node that vanished without closing the TCP
    // connection), at the rate our servers accept (see keepalive-policy.ts).
    ...clientKeepaliveOptions(),
    // Pick up new replicas soon after DNS changes. Reconnect quickly when an
    // upstream comes back: calls fail fast (UNAVAILABLE) while the channel
    // waits out its backoff, so the cap bounds how long a recovered upstream
    // still looks down (grpc-js's default cap is 120 s).
    'grpc.dns_min_time_between_resolutions_ms': 5_000,
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1_000,
  };
}
