import { z } from 'zod';
import { grpcTargetVar, intVar, loadConfig, millisVar, previousSecretsVar, secretVar } from '@acme/config';
import { grpcServerEnv } from '@acme/grpc-kit';
import { consumerEnv, messagingEnv } from '@acme/messaging';
import { databaseEnv } from '@acme/persistence';
import { metricsEnv } from '@acme/telemetry';

/** Every environment variable order-service reads, with its default for local development. */
export const orderServiceEnv = z.object({
  ...grpcServerEnv(50052),
  /** Prometheus metrics on their own port (0: off). */
  ...metricsEnv(),
  ...databaseEnv('acme_orders'),
  /**
   * AMQP_URL (optional: without it OrderCreated/OrderCancelled wait in the
   * outbox and UserDeleted is not consumed), exchange, outbox relay tuning,
   * consumer prefetch and attempts.
   */
  ...messagingEnv(),
  ...consumerEnv(),
  /** Signs page tokens; required (32+ characters) in production. */
  PAGE_TOKEN_SECRET: secretVar('dev-only-page-token-secret-order-service'),
  /** Page-token secrets before the last rotation (comma-separated): tokens they signed still work. */
  PAGE_TOKEN_PREVIOUS_SECRETS: previousSecretsVar(),
  /** user-service, as a gRPC target. dns:/// + round_robin spreads calls over every replica. */
  USER_SERVICE_URL: grpcTargetVar('dns:///127.0.0.1:50051'),
  /** Deadline for each call to user-service (capped by what is left of our own caller's deadline). */
  USER_SERVICE_DEADLINE_MS: millisVar(1_000, 10, 60_000),
  /**
   * WatchOrders: updates one stream may have waiting for a slow client before
   * it is ended with RESOURCE_EXHAUSTED (bounds each stream's memory).
   */
  WATCH_MAX_PENDING_UPDATES: intVar(1_000, 1, 100_000),
});

export type OrderServiceConfig = z.output<typeof orderServiceEnv>;

export const ORDER_SERVICE_CONFIG = Symbol('ORDER_SERVICE_CONFIG');

export const loadOrderServiceConfig = (env: Record<string, string | undefined> = process.env): OrderServiceConfig =>
  loadConfig(orderServiceEnv, env);
