import { z } from 'zod';
import { booleanVar, intVar, millisVar, portVar } from '@acme/config';
import { processEnv } from '../lifecycle/process-env';
import { authEnv, tokenVerifierOptionsFromEnv } from '../identity/auth-env';
import { serviceTlsFromEnv, tlsEnv } from '../tls/tls-env';
import type { GrpcServiceOptions } from './bootstrap-grpc-service';

/** Environment variables every gRPC service understands (merge into the app's own schema). */
export const grpcServerEnv = (defaultPort: number) => ({
  GRPC_HOST: z.string().trim().min(1).optional().transform((v) => v ?? '0.0.0.0'),
  GRPC_PORT: portVar(defaultPort),
  ...processEnv(),
  HEALTH_CHECK_INTERVAL_MS: millisVar(2_000, 100, 60_000),
  GRPC_MAX_CONNECTION_AGE_MS: millisVar(60_000, 1_000, 86_400_000),
  GRPC_MAX_CONNECTION_AGE_GRACE_MS: millisVar(30_000, 0, 3_600_000),
  /**
   * Calls one client connection may have in flight. 100, the floor HTTP/2
   * recommends: above the gateway's and the benchmark's concurrency per
   * connection (c=64), so they are not slowed; 10,000 idle streams cost ~60 MiB.
   */
  GRPC_MAX_CONCURRENT_STREAMS: intVar(100, 1, 10_000),
  /**
   * gRPC server reflection (what `buf curl` and `grpcurl` list and describe
   * the API with). On for development; the prod overlay turns it off, so a
   * caller that reaches the port learns nothing it was not given.
   */
  GRPC_REFLECTION: booleanVar(true),
  ...authEnv(),
  ...tlsEnv(),
  /**
   * A second port serving grpc.health.v1 alone, in plaintext, for probes that
   * cannot present a client certificate (the kubelet's gRPC probes) while
   * GRPC_TLS=on. 0: none.
   */
  GRPC_HEALTH_PORT: portVar(0, true),
});

type Shape = ReturnType<typeof grpcServerEnv>;
export type GrpcServerEnv = { [K in keyof Shape]: z.output<Shape[K]> };

/** The bootstrapGrpcService options that come from the environment. */
export function grpcServiceOptionsFromEnv(
  env: GrpcServerEnv,
  service: Pick<GrpcServiceOptions, 'services' | 'maxReceiveMessageBytes' | 'errorClassifiers' | 'propagateCallContext' | 'peers'>,
): GrpcServiceOptions {
  return {
    ...service,
    url: `${env.GRPC_HOST}:${env.GRPC_PORT}`,
    reflection: env.GRPC_REFLECTION,
    auth: tokenVerifierOptionsFromEnv(env),
    tls: serviceTlsFromEnv(env),
    healthUrl: env.GRPC_HEALTH_PORT === 0 ? undefined : `${env.GRPC_HOST}:${env.GRPC_HEALTH_PORT}`,
    drainDelayMs: env.SHUTDOWN_DRAIN_DELAY_MS,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    heapGrowingPercent: env.HEAP_GROWING_PERCENT,
    channel: {
      maxConnectionAgeMs: env.GRPC_MAX_CONNECTION_AGE_MS,
      maxConnectionAgeGraceMs: env.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
      maxConcurrentStreams: env.GRPC_MAX_CONCURRENT_STREAMS,
    },
  };
}
