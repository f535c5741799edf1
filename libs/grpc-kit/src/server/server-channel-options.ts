import type { ChannelOptions } from '@grpc/grpc-js';

export interface ServerChannelTuning {
  /**
   * Close each client connection after this long (with a GOAWAY, never cutting
   * a call) so clients re-resolve DNS and spread over replicas that appeared
   * since they connected. Jittered by grpc-js. It also bounds how long any
   * connection lives, idle or not: with it, grpc.max_connection_idle_ms
   * would add nothing, so it is not set.
   */
  readonly maxConnectionAgeMs: number;
  /** How long calls on an aged-out connection may still run. */
  readonly maxConnectionAgeGraceMs: number;
  /**
   * Calls one client connection may have in flight (HTTP/2
   * SETTINGS_MAX_CONCURRENT_STREAMS; Node's default is 2^32 - 1). A client
   * that needs more, e.g. the gateway multiplexing everything to a replica on
   * one connection, has the excess queued by its HTTP/2 stack until a call
   * finishes (concurrent-streams.spec.ts shows it), not refused.
   */
  readonly maxConcurrentStreams: number;
}

/**
 * Server-side channel options shared by every gRPC service.
 *
 * 'grpc-node.max_session_memory' stays unset, so grpc-js keeps Node's
 * per-session memory check off: what a client can make a session hold is
 * already bounded by the stream limit here, the message limit and the
 * metadata limit (http2-session-limits.ts), and Node's check would only start
 * refusing new streams, which on the gateway's single multiplexed connection
 * means failing real calls.
 *
 * 'grpc.enable_channelz' is off: nothing serves channelz, and it costs a
 * call-event tracker (an object and four closures, ~0.4 KB) per open call,
 * and timestamps per message. Without it grpc-js 1.14 no longer records its
 * sessions where forceShutdown looks, so stopping at the end of the grace
 * period destroys them itself (cancelHttp2Sessions).
 */
export function serverChannelOptions(tuning: ServerChannelTuning, maxReceiveMessageBytes: number): ChannelOptions {
  return {
    // Checked against each message's length prefix, before it is buffered, and
    // again after decompression (so a gzip bomb stops at the limit too).
    'grpc.max_receive_message_length': maxReceiveMessageBytes,
    'grpc.enable_channelz': 0,
    'grpc.max_concurrent_streams': tuning.maxConcurrentStreams,
    'grpc.max_connection_age_ms': tuning.maxConnectionAgeMs,
    'grpc.max_connection_age_grace_ms': tuning.maxConnectionAgeGraceMs,
    // Detect dead clients so their connections do not pile up. (How often
    // clients may ping us is enforced in ping-flood-guard.ts: grpc-js's server
    // ignores grpc.http2.min_ping_interval_without_data_ms and
    // grpc.keepalive_permit_without_calls.)
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
  };
}
