import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

// The library's own tests may not use @acme/testing (kits depend on kits
// only), so this is the few lines they need: a throwaway database with the
// tables the library documents (outbox-event.ts, inbox.ts).

const ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const SCHEMA = [
  `CREATE TABLE outbox (
     id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     event_id          uuid        NOT NULL UNIQUE,
     event_type        text        NOT NULL,
     routing_key       text        NOT NULL,
     payload           bytea       NOT NULL,
     create_time       timestamptz NOT NULL DEFAULT now(),
     attempts          integer     NOT NULL DEFAULT 0,
     next_attempt_time timestamptz NOT NULL DEFAULT now(),
     last_error        text,
     sent_time         timestamptz
   )`,
  `CREATE INDEX outbox_pending_idx ON outbox (id) WHERE sent_time IS NULL`,
  `CREATE TABLE inbox (
     consumer       text        NOT NULL,
     event_id       uuid        NOT NULL,
     event_type     text        NOT NULL,
     processed_time timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (consumer, event_id)
   )`,
  // What the tests' event handlers do: one row per applied effect.
  `CREATE TABLE effects (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id uuid NOT NULL, user_id text NOT NULL)`,
];

export interface ScratchDatabase {
  readonly name: string;
  /** Opens a pool on it; `applicationName` tells its sessions apart in pg_stat_activity. */
  dataSource(applicationName?: string): Promise<DataSource>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

async function admin<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin(ADMIN_URL, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const opened: DataSource[] = [];
  await admin(url.toString(), async (c) => {
    for (const statement of SCHEMA) await c.query(statement);
  });
  return {
    name,
    async dataSource(applicationName = 'messaging-test') {
      const dataSource = new DataSource({ type: 'postgres', url: url.toString(), applicationName, extra: { max: 5 } });
      await dataSource.initialize();
      opened.push(dataSource);
      return dataSource;
    },
    query: (sql, params) => admin(url.toString(), async (c) => (await c.query(sql, params)).rows),
    async drop() {
      await Promise.all(opened.map((d) => (d.isInitialized ? d.destroy() : undefined)));
      await admin(ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
