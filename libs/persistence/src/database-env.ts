import { intVar, millisVar, postgresUrlVar } from '@acme/config';
import type { z } from 'zod';
import type { PostgresSettings } from './postgres-settings';

/** Environment variables for a service's own database (merge into the app's schema). */
export const databaseEnv = (defaultDatabase: string) => ({
  DATABASE_URL: postgresUrlVar(`postgres://postgres@127.0.0.1:5432/${defaultDatabase}`),
  DATABASE_POOL_SIZE: intVar(10, 1, 200),
  DATABASE_CONNECT_TIMEOUT_MS: millisVar(2_000, 100, 60_000),
  DATABASE_STATEMENT_TIMEOUT_MS: millisVar(5_000, 100, 600_000),
});

type Shape = ReturnType<typeof databaseEnv>;
export type DatabaseEnv = { [K in keyof Shape]: z.output<Shape[K]> };

export function postgresSettingsFromEnv(env: DatabaseEnv, applicationName: string): PostgresSettings {
  return {
    url: env.DATABASE_URL,
    applicationName,
    poolSize: env.DATABASE_POOL_SIZE,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
  };
}
