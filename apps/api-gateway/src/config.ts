import { z } from 'zod';
import { booleanVar, grpcTargetVar, intVar, loadConfig, millisVar, portVar } from '@acme/config';
import { authEnv, processEnv, serviceTlsFromEnv, tlsEnv, tokenVerifierOptionsFromEnv } from '@acme/grpc-kit';
import { metricsEnv } from '@acme/telemetry';
import type { HttpTimeouts } from './http/server-timeouts';

/** `https://app.example.com` or `http://localhost:3000`: what a browser sends as Origin. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

/** Every environment variable api-gateway reads, with its default for local development. */
export const gatewayEnv = z.object({
  HTTP_HOST: z.string().trim().min(1).optional().transform((v) => v ?? '0.0.0.0'),
  /** 0 picks a free port (tests). */
  HTTP_PORT: portVar(8080, true),
  /** Prometheus metrics on their own port, never the public one (0: off). */
  ...metricsEnv(),
  /** The upstreams, as gRPC targets. dns:/// + round_robin spreads calls over every replica. */
  USER_SERVICE_URL: grpcTargetVar('dns:///127.0.0.1:50051'),
  ORDER_SERVICE_URL: grpcTargetVar('dns:///127.0.0.1:50052'),
  /** Deadline of each call to an upstream, retries included. Order calls wait for user-service inside. */
  USER_SERVICE_DEADLINE_MS: millisVar(3_000, 10, 60_000),
  ORDER_SERVICE_DEADLINE_MS: millisVar(3_000, 10, 60_000),
  /**
   * Streams (GET …:watch as Server-Sent Events, POST …:import as NDJSON) go
   * over channels of their own to each upstream, apart from the unary calls
   * (StreamChannels in grpc-kit): at most UPSTREAM_STREAMS_PER_CONNECTION
   * on one connection, which must not exceed the services'
   * GRPC_MAX_CONCURRENT_STREAMS (the HTTP/2 stack would queue the excess
   * silently), and at most *_MAX_STREAMS open through one gateway: the next
   * is answered 503 with Retry-After. One channel per UPSTREAM_STREAMS_PER_CONNECTION
   * streams, opened as they are needed.
   */
  UPSTREAM_STREAMS_PER_CONNECTION: intVar(100, 1, 10_000),
  /** Watchers (SSE streams of WatchOrders) one gateway holds open. */
  ORDER_SERVICE_MAX_STREAMS: intVar(1_000, 1, 100_000),
  /** Imports (ImportUsers streams) one gateway runs at once: each keeps a user-service replica writing batches. */
  USER_SERVICE_MAX_STREAMS: intVar(8, 1, 1_000),
  /**
   * Deadline of an import, upload included. A watch has none: it is
   * long-lived. The upload must also arrive within HTTP_REQUEST_TIMEOUT_MS,
   * which Node applies to every request body.
   */
  USER_SERVICE_STREAM_DEADLINE_MS: millisVar(60_000, 10, 3_600_000),
  /**
   * An SSE stream gets a comment line (`: ping`) this often, so proxies and
   * the gateway's own HTTP_IDLE_TIMEOUT_MS do not take a quiet stream for a
   * dead connection. 0 (the default): half of HTTP_IDLE_TIMEOUT_MS, at most
   * 15 s (see sseHeartbeatMs).
   */
  SSE_HEARTBEAT_MS: millisVar(0, 0, 600_000),
  /**
   * When the upstream stream of an SSE watcher ends with UNAVAILABLE (a
   * replica stopped or left), the gateway reopens it from the last event it
   * sent, this many times in a row (backoff from 100 ms, doubling, at most
   * 2 s) before it ends the SSE stream with an error event; 0: never.
   */
  SSE_RECONNECT_ATTEMPTS: intVar(5, 0, 100),
  /** Deadline of each health check /readyz makes. */
  READINESS_TIMEOUT_MS: millisVar(1_000, 10, 30_000),
  /** Requests one client may make per RATE_LIMIT_WINDOW_MS (0: no limit); 429 past it. */
  RATE_LIMIT_MAX: intVar(600, 0, 1_000_000),
  RATE_LIMIT_WINDOW_MS: millisVar(60_000, 1_000, 3_600_000),
  /** Redis shared by every gateway replica for the counts (redis://host:6379); unset: each replica counts alone. */
  RATE_LIMIT_REDIS_URL: z.string().trim().url().optional(),
  /** Load shedding: above this event-loop delay new requests get 503 at once (0: off). */
  MAX_EVENT_LOOP_DELAY_MS: millisVar(1_000, 0, 60_000),
  /**
   * How many proxies in front of the gateway to believe in X-Forwarded-For
   * (0: none, the peer address is the client's). Behind one ingress, 1; the
   * rate limit keys on the address this yields.
   */
  TRUSTED_PROXY_HOPS: intVar(0, 0, 10),
  /** The OpenAPI document (/openapi.json) and Swagger UI (/docs). On for development; the prod overlay turns them off. */
  API_DOCS: booleanVar(true),
  /**
   * Web origins whose scripts may call the API (CORS), comma-separated, each
   * exactly as a browser sends it (https://app.example.com, no path). Empty:
   * none; same-origin and non-browser clients are not affected either way.
   */
  CORS_ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((o) => o.trim()).filter((o) => o !== ''))
    .pipe(z.array(z.string().refine(isOrigin, { message: 'each origin must be scheme://host[:port] (http or https, no path, no "*")' }))),
  ...processEnv(),
  ...authEnv(),
  /** mTLS to the services: GRPC_TLS, the certificate files, the trust domain. */
  ...tlsEnv(),
  /**
   * Slow clients get 408 and the connection is closed when, counted from a
   * request's first byte, its headers are not complete after
   * HTTP_HEADERS_TIMEOUT_MS or all of it (a body shorter than its
   * Content-Length too) after HTTP_REQUEST_TIMEOUT_MS. Real clients send
   * their headers in one packet, so 10 s only bounds a Slowloris; 30 s for a
   * body of at most 1 MiB allows a link of ~35 KB/s.
   */
  HTTP_HEADERS_TIMEOUT_MS: millisVar(10_000, 100, 120_000),
  HTTP_REQUEST_TIMEOUT_MS: millisVar(30_000, 100, 300_000),
  /**
   * A connection without traffic for this long is closed: kept alive between
   * requests (Node closes it 1 s after this), or during a request whose
   * client does not read its answer. 65 s: a few seconds longer than the idle
   * timeout of common load balancers (AWS ALB, nginx: 60 s), so the balancer
   * is the one that closes an idle connection; the other way round the
   * gateway may close one just as the balancer sends a request on it, which
   * the balancer answers 502. Raise it with the balancer's.
   */
  HTTP_IDLE_TIMEOUT_MS: millisVar(65_000, 100, 3_600_000),
}).superRefine((env, ctx) => {
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['HTTP_HEADERS_TIMEOUT_MS'],
      message: `must be at most HTTP_REQUEST_TIMEOUT_MS (${env.HTTP_REQUEST_TIMEOUT_MS}): the headers are part of the request`,
    });
  }
  if (env.SSE_HEARTBEAT_MS !== 0 && env.SSE_HEARTBEAT_MS >= env.HTTP_IDLE_TIMEOUT_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['SSE_HEARTBEAT_MS'],
      message: `must be shorter than HTTP_IDLE_TIMEOUT_MS (${env.HTTP_IDLE_TIMEOUT_MS}), or a quiet SSE stream is closed as idle between two heartbeats`,
    });
  }
  // Idle time is counted while a request is still arriving, and while its handler waits for a service.
  // (Not an import's deadline: its client is sending all along, and the answer follows the upload at once.)
  const longestWait = Math.max(env.HTTP_REQUEST_TIMEOUT_MS, env.USER_SERVICE_DEADLINE_MS, env.ORDER_SERVICE_DEADLINE_MS, env.READINESS_TIMEOUT_MS);
  if (env.HTTP_IDLE_TIMEOUT_MS <= longestWait) {
    ctx.addIssue({
      code: 'custom',
      path: ['HTTP_IDLE_TIMEOUT_MS'],
      message:
        `must be longer than HTTP_REQUEST_TIMEOUT_MS and every upstream deadline (the longest is ${longestWait}), ` +
        'or a silent client would be cut off without its 408, and a request waiting for a service without its answer',
    });
  }
}, { when: (payload) => payload.issues.length === 0 }); // comparing values that are themselves refused would only add noise

export type GatewayConfig = z.output<typeof gatewayEnv>;

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export const loadGatewayConfig = (env: Record<string, string | undefined> = process.env): GatewayConfig =>
  loadConfig(gatewayEnv, env);

export const httpTimeouts = (config: GatewayConfig): HttpTimeouts => ({
  headersMs: config.HTTP_HEADERS_TIMEOUT_MS,
  requestMs: config.HTTP_REQUEST_TIMEOUT_MS,
  idleMs: config.HTTP_IDLE_TIMEOUT_MS,
});

/** How often an SSE stream gets a heartbeat: SSE_HEARTBEAT_MS, or half the idle timeout (at most 15 s) when it is 0. */
export const sseHeartbeatMs = (config: GatewayConfig): number => config.SSE_HEARTBEAT_MS || Math.min(15_000, Math.floor(config.HTTP_IDLE_TIMEOUT_MS / 2));

/** The bootstrapHttpGateway options that come from the environment (main.ts and the in-process test gateway). */
export const httpEdgeOptions = (config: GatewayConfig) => ({
  host: config.HTTP_HOST,
  port: config.HTTP_PORT,
  timeouts: httpTimeouts(config),
  corsAllowedOrigins: config.CORS_ALLOWED_ORIGINS,
  apiDocs: config.API_DOCS,
  trustedProxyHops: config.TRUSTED_PROXY_HOPS,
  auth: tokenVerifierOptionsFromEnv(config),
  tls: serviceTlsFromEnv(config),
  abuseLimits: {
    rateLimitMax: config.RATE_LIMIT_MAX,
    rateLimitWindowMs: config.RATE_LIMIT_WINDOW_MS,
    rateLimitRedisUrl: config.RATE_LIMIT_REDIS_URL,
    maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS,
  },
});
