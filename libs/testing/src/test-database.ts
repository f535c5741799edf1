import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Admin connection used to create and drop test databases (the CI machine's Postgres by default). */
export const TEST_POSTGRES_ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database a test can look into. */
export interface Database {
  readonly name: string;
  readonly url: string;
  /** Runs SQL on it (one short-lived connection per call). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface TestDatabase extends Database {
  /** Drops it, disconnecting whoever is still connected. */
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>, url = TEST_POSTGRES_ADMIN_URL): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a uniquely named, empty database for one test run, so runs never
 * collide (in parallel, or with leftovers from a killed run).
 */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`.toLowerCase();
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unusable database name ${name}`);
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(TEST_POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    ...databaseAt(url.toString()),
    drop: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** The database at `url` (any Postgres: a test one, the bench's, an embedded one). */
export function databaseAt(url: string): Database {
  return {
    name: decodeURIComponent(new URL(url).pathname.slice(1)),
    url,
    query: (sql, params) => withAdmin(async (client) => (await client.query(sql, params)).rows, url),
  };
}
