import { createTestDatabase, databaseAt, type Database } from '../test-database';

/** The database a provider gives one app. */
export interface ProvidedDatabase {
  readonly database: Database;
  /** Its schema is already up to date: the launcher does not run the app's migrations. */
  readonly migrated?: boolean;
  /** Undoes what the provider created (e.g. drops a test database) when the system stops. */
  release?(): Promise<void>;
}

/** Where launched apps get their databases from. */
export interface DatabaseProvider {
  /** A database for `app`; `name` is the default its manifest gives (e.g. acme_users). */
  provide(app: string, name: string): Promise<ProvidedDatabase>;
}

/** A fresh, uniquely named database per app on the test Postgres, dropped when the system stops. */
export function freshTestDatabases(prefix: string): DatabaseProvider {
  return {
    async provide(_app, name) {
      const database = await createTestDatabase(`${prefix}_${name}`);
      return { database, release: () => database.drop() };
    },
  };
}

/** Databases that exist already (given URLs, the bench's, an embedded Postgres), by app; they are left in place. */
export function givenDatabases(urls: Readonly<Record<string, string>>, options: { readonly migrated?: boolean } = {}): DatabaseProvider {
  return {
    async provide(app) {
      const url = urls[app];
      if (!url) throw new Error(`no database URL given for ${app}`);
      return { database: databaseAt(url), migrated: options.migrated };
    },
  };
}
