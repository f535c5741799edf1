import { DataSource, type DataSourceOptions } from 'typeorm';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface MigratedDatabase {
  readonly database: TestDatabase;
  /** Initialized, with every migration applied. */
  readonly dataSource: DataSource;
  /** Closes the pool and drops the database. */
  cleanup(): Promise<void>;
}

/**
 * A fresh database with a service's migrations applied, for integration tests
 * of repositories. `optionsFor` is the service's own DataSource options
 * factory, so tests exercise exactly what production uses.
 */
export async function createMigratedDatabase(
  prefix: string,
  optionsFor: (url: string) => DataSourceOptions,
): Promise<MigratedDatabase> {
  const database = await createTestDatabase(prefix);
  const dataSource = new DataSource(optionsFor(database.url));
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
    throw error;
  }
  return {
    database,
    dataSource,
    async cleanup() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    },
  };
}

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
