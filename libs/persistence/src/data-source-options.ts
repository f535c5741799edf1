import type { DataSourceOptions, MixedList } from 'typeorm';
import { NestTypeOrmLogger } from './typeorm-logger';

export interface PostgresSettings {
  readonly url: string;
  /** Shown in pg_stat_activity, so a DBA can tell the services apart. */
  readonly applicationName: string;
  readonly poolSize: number;
  /** Give up connecting after this long, so a dead database yields UNAVAILABLE instead of a hang. */
  readonly connectTimeoutMs: number;
  /** Server-side cap on a single statement. */
  readonly statementTimeoutMs: number;
  // TypeORM's own type for these lists (classes, or glob strings we never use).
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: MixedList<Function>;
}

/**
 * TypeORM options for a service's own Postgres database. Schema changes only
 * ever come from the committed migrations: synchronize stays off, and
 * migrations run as their own step (see runMigrations), not at app start.
 */
export function postgresDataSourceOptions(settings: PostgresSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    applicationName: settings.applicationName,
    entities: settings.entities,
    migrations: settings.migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logger: new NestTypeOrmLogger(),
    logging: ['error', 'warn', 'migration'],
    maxQueryExecutionTime: 1_000,
    extra: {
      max: settings.poolSize,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: settings.statementTimeoutMs,
    },
  };
}
