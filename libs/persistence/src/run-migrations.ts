import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { exitOnStartupError } from '@acme/config';

// Any constant shared by every migration runner of a database ("migra" in ASCII).
const MIGRATION_LOCK_KEY = 0x6d69677261;

/**
 * Applies pending migrations, each in its own transaction, and closes the
 * connection. The migration step of every deployment (npm start, the compose
 * one-shot service, the Kubernetes Job) runs this, never the app itself.
 * Concurrent runs are serialised by a Postgres advisory lock.
 */
export async function runMigrations(dataSource: DataSource, log: (line: string) => void = console.log): Promise<string[]> {
  await dataSource.initialize();
  // Session-level lock: it must stay on one connection, so hold a dedicated one.
  const lockHolder = dataSource.createQueryRunner();
  try {
    await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    const names = applied.map((m) => m.name);
    log(names.length === 0 ? 'migrations: schema is up to date' : `migrations: applied ${names.join(', ')}`);
    return names;
  } finally {
    await lockHolder.release(); // closing the session releases the lock
    await dataSource.destroy();
  }
}

/**
 * Body of each service's `migrate` entry point: applies the migrations,
 * prints one summary line, exits 0; any failure (including a bad variable in
 * the environment) exits non-zero with a message that says why.
 */
export function runMigrationsCli(serviceName: string, createDataSource: () => DataSource): void {
  // TypeORM narrates every step; the summary line below is what operators need.
  Logger.overrideLogger(['error', 'warn']);
  Promise.resolve()
    .then(() => runMigrations(createDataSource(), (line) => console.log(`${serviceName} ${line}`)))
    .then(() => process.exit(0), exitOnStartupError(`${serviceName} migrations`));
}
