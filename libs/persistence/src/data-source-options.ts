import type { DataSourceOptions, MixedList } from 'typeorm';
import { poolConfig, type PostgresSettings } from './postgres-settings';
import { NestTypeOrmLogger } from './typeorm-logger';

/** What TypeORM knows of a service's schema: the entities that describe it and the migrations that build it. */
export interface TypeOrmSchema {
  // TypeORM's own type for these lists (classes, or glob strings we never use).
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: MixedList<Function>;
}

/**
 * TypeORM options for a service's database. TypeORM is the schema tool here:
 * it runs the migrations (the migrate step, never the app), its entities
 * describe the schema the migrations build (the schema-drift tests prove the
 * two agree) and its CLI generates new migrations from them. The services do
 * not load TypeORM at run time; their SQL goes through Database.
 */
export function postgresDataSourceOptions(settings: PostgresSettings, schema: TypeOrmSchema): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    applicationName: settings.applicationName,
    entities: schema.entities,
    migrations: schema.migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logger: new NestTypeOrmLogger(),
    logging: ['error', 'warn', 'migration'],
    maxQueryExecutionTime: 1_000,
    extra: poolConfig(settings),
  };
}
