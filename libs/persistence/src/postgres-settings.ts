import type { PoolConfig } from 'pg';

/** How a service connects to its own Postgres database: the run-time pool and the migrator both start from this. */
export interface PostgresSettings {
  readonly url: string;
  /** Shown in pg_stat_activity, so a DBA can tell the services apart. */
  readonly applicationName: string;
  readonly poolSize: number;
  /** Give up connecting after this long, so a dead database yields UNAVAILABLE instead of a hang. */
  readonly connectTimeoutMs: number;
  /** Server-side cap on a single statement. */
  readonly statementTimeoutMs: number;
}

/** The pg pool configuration for these settings (the run-time Database's, and TypeORM's for migrations). */
export function poolConfig(settings: PostgresSettings): PoolConfig {
  return {
    connectionString: settings.url,
    application_name: settings.applicationName,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: settings.statementTimeoutMs,
  };
}
