import { DataSource, type DataSourceOptions } from 'typeorm';
import { Database, type PostgresSettings } from '@acme/persistence';
import { createTestDatabase, type TestDatabase } from './test-database';

/** How a service describes its database: the run-time settings and the TypeORM schema, both from its config. */
export interface ServiceDatabase<Config> {
  settings(config: Config): PostgresSettings;
  dataSource(config: Config): DataSourceOptions;
}

export interface MigratedDatabase {
  readonly database: TestDatabase;
  /** The run-time Database on it, configured as the service configures its own (for repositories). */
  readonly sql: Database;
  /** TypeORM's view of it, initialized, every migration applied (for schema checks). */
  readonly dataSource: DataSource;
  /** Closes both pools and drops the database. */
  cleanup(): Promise<void>;
}

/**
 * A fresh database with a service's migrations applied, for integration tests
 * of repositories. `configFor` is the service's config for a database URL and
 * `service` its own settings and schema factories, so tests exercise exactly
 * what production uses.
 */
export async function createMigratedDatabase<Config>(
  prefix: string,
  configFor: (url: string) => Config,
  service: ServiceDatabase<Config>,
): Promise<MigratedDatabase> {
  const database = await createTestDatabase(prefix);
  const config = configFor(database.url);
  const dataSource = new DataSource(service.dataSource(config));
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
    throw error;
  }
  const sql = new Database(service.settings(config));
  return {
    database,
    sql,
    dataSource,
    async cleanup() {
      await sql.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    },
  };
}

/** A run-time Database on `url` with small test settings, for libraries' tests that bring their own tables. */
export const openDatabase = (url: string, applicationName = 'test'): Database =>
  new Database({ url, applicationName, poolSize: 5, connectTimeoutMs: 2_000, statementTimeoutMs: 10_000 });

/** Undoes every applied migration, newest first (each one's `down`), then closes the connection. */
export async function revertAllMigrations(dataSource: DataSource): Promise<void> {
  await dataSource.initialize();
  try {
    const table = dataSource.options.migrationsTableName ?? 'migrations';
    while ((await dataSource.query(`SELECT count(*)::int AS n FROM "${table}"`))[0].n > 0) {
      await dataSource.undoLastMigration({ transaction: 'each' });
    }
  } finally {
    await dataSource.destroy();
  }
}
