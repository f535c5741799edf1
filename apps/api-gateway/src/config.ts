import { z } from 'zod';
import { grpcTargetVar, loadConfig, logLevelVar, millisVar, portVar } from '@acme/config';
import type { LogFormat } from '@acme/grpc-kit';

/** Every environment variable api-gateway reads, with its default for local development. */
export const gatewayEnv = z.object({
  HTTP_HOST: z.string().trim().min(1).optional().transform((v) => v ?? '0.0.0.0'),
  /** 0 picks a free port (tests). */
  HTTP_PORT: portVar(8080, true),
  /** The upstreams, as gRPC targets. dns:/// + round_robin spreads calls over every replica. */
  USER_SERVICE_URL: grpcTargetVar('dns:///127.0.0.1:50051'),
  ORDER_SERVICE_URL: grpcTargetVar('dns:///127.0.0.1:50052'),
  /** Deadline of each call to an upstream, retries included. Order calls wait for user-service inside. */
  USER_SERVICE_DEADLINE_MS: millisVar(3_000, 10, 60_000),
  ORDER_SERVICE_DEADLINE_MS: millisVar(3_000, 10, 60_000),
  /** Deadline of each health check /readyz makes. */
  READINESS_TIMEOUT_MS: millisVar(1_000, 10, 30_000),
  LOG_LEVEL: logLevelVar('info'),
  LOG_FORMAT: z
    .enum(['json', 'pretty'])
    .optional()
    .transform((v): LogFormat => v ?? 'json'),
  /** After SIGTERM, how long /readyz reports 503 while requests are still served (lets load balancers notice). */
  SHUTDOWN_DRAIN_DELAY_MS: millisVar(0, 0, 60_000),
  /** How long in-flight requests may run once the server stops accepting new ones. */
  SHUTDOWN_GRACE_MS: millisVar(10_000, 0, 120_000),
});

export type GatewayConfig = z.output<typeof gatewayEnv>;

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export const loadGatewayConfig = (env: Record<string, string | undefined> = process.env): GatewayConfig =>
  loadConfig(gatewayEnv, env);
