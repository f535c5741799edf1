import type { ChannelOptions } from '@grpc/grpc-js';

export interface ServerChannelTuning {
  /**
   * Close each client connection after this long (with a GOAWAY, never cutting
   * a call) so clients re-resolve DNS and spread over replicas that appeared
   * since they connected. Jittered by grpc-js.
   */
  readonly maxConnectionAgeMs: number;
  /** How long calls on an aged-out connection may still run. */
  readonly maxConnectionAgeGraceMs: number;
}

/** Server-side channel options shared by every gRPC service. */
export function serverChannelOptions(tuning: ServerChannelTuning): ChannelOptions {
  return {
    'grpc.max_connection_age_ms': tuning.maxConnectionAgeMs,
    'grpc.max_connection_age_grace_ms': tuning.maxConnectionAgeGraceMs,
    // Accept the clients' keepalive pings (see client options) instead of
    // answering them with GOAWAY "too_many_pings".
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
    // Detect dead clients so their connections do not pile up.
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
  };
}
