import type { ChannelOptions } from '@grpc/grpc-js';

// Keepalive pings, stated once for both ends. Our clients ping every
// CLIENT_KEEPALIVE_TIME_MS; our servers count a ping that arrives sooner than
// half of that after the previous one as a strike and close the connection
// with GOAWAY ENHANCE_YOUR_CALM "too_many_pings" past MAX_PING_STRIKES (as
// gRPC C-core does), which a ping flood reaches in microseconds and our own
// clients never: grpc-js sends the next keepalive ping a full interval after
// the previous one was acknowledged, and half the interval leaves room for
// network delay and timer jitter.

/** How often our clients ping each connection (with or without calls in flight). */
export const CLIENT_KEEPALIVE_TIME_MS = 30_000;
/** How long a client waits for the ping's acknowledgement before it drops the connection. */
const CLIENT_KEEPALIVE_TIMEOUT_MS = 10_000;

export interface PingPolicy {
  /** A ping sooner than this after the previous one is a strike. */
  readonly minIntervalMs: number;
  /** Strikes tolerated; one more and the connection is closed. gRPC C-core's default. */
  readonly maxStrikes: number;
}

/** What a server tolerates from clients that ping every `clientKeepaliveTimeMs`. */
export function pingPolicyFor(clientKeepaliveTimeMs = CLIENT_KEEPALIVE_TIME_MS): PingPolicy {
  return { minIntervalMs: clientKeepaliveTimeMs / 2, maxStrikes: 2 };
}

/** grpc-js client options that ping every `keepaliveTimeMs`. */
export function clientKeepaliveOptions(keepaliveTimeMs = CLIENT_KEEPALIVE_TIME_MS): ChannelOptions {
  return {
    'grpc.keepalive_time_ms': keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': CLIENT_KEEPALIVE_TIMEOUT_MS,
    'grpc.keepalive_permit_without_calls': 1,
  };
}
