import { z } from 'zod';
import { loadConfig, previousSecretsVar, secretVar } from '@acme/config';
import { grpcServerEnv } from '@acme/grpc-kit';
import { messagingEnv } from '@acme/messaging';
import { databaseEnv } from '@acme/persistence';
import { metricsEnv } from '@acme/telemetry';

/** Every environment variable user-service reads, with its default for local development. */
export const userServiceEnv = z.object({
  ...grpcServerEnv(50051),
  /** Prometheus metrics on their own port (0: off). */
  ...metricsEnv(),
  ...databaseEnv('acme_users'),
  /** AMQP_URL (optional: without it UserDeleted events wait in the outbox), exchange, outbox relay tuning. */
  ...messagingEnv(),
  /** Signs page tokens; required (32+ characters) in production. */
  PAGE_TOKEN_SECRET: secretVar('dev-only-page-token-secret-user-service'),
  /** Page-token secrets before the last rotation (comma-separated): tokens they signed still work. */
  PAGE_TOKEN_PREVIOUS_SECRETS: previousSecretsVar(),
});

export type UserServiceConfig = z.output<typeof userServiceEnv>;

export const USER_SERVICE_CONFIG = Symbol('USER_SERVICE_CONFIG');

export const loadUserServiceConfig = (env: Record<string, string | undefined> = process.env): UserServiceConfig =>
  loadConfig(userServiceEnv, env);
