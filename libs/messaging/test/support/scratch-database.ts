import { createTestDatabase, openDatabase } from '@acme/testing';
import type { SqlDatabase, SqlExecutor } from '../../src/sql';
import { addOutboxTraceColumn, outboxTableStatements } from '../../src/outbox/outbox-migrations';
import { createOutboxNotifyTrigger } from '../../src/outbox/outbox-notify';

// A throwaway database with the library's tables (the outbox's from its own
// migration statements, inbox.ts's): the services' migrations create the same ones.

const SCHEMA = [
  ...outboxTableStatements(),
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
  readonly url: string;
  /** Opens a pool on it; `applicationName` tells its sessions apart in pg_stat_activity. */
  open(applicationName?: string): SqlDatabase;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh database (see @acme/testing) with the tables the library documents. */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const database = await createTestDatabase(prefix);
  for (const statement of SCHEMA) await database.query(statement);
  // As the services' migrations do, with the same helper.
  const executor: SqlExecutor = {
    query: <T>(sql: string, params?: readonly unknown[]) => database.query<T>(sql, params ? [...params] : undefined),
  };
  await createOutboxNotifyTrigger(executor, 'outbox');
  await addOutboxTraceColumn(executor, 'outbox');
  const opened: ReturnType<typeof openDatabase>[] = [];
  return {
    name: database.name,
    url: database.url,
    open(applicationName = 'messaging-test') {
      const db = openDatabase(database.url, applicationName);
      opened.push(db);
      return db;
    },
    query: (sql, params) => database.query(sql, params),
    async drop() {
      await Promise.all(opened.map((d) => d.close()));
      await database.drop();
    },
  };
}
