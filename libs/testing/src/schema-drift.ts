import type { DataSource } from 'typeorm';

/**
 * The statements TypeORM would run to make the database match the entities
 * (what `migration:generate --check` looks at), on a database the migrations
 * built. Empty means the entities describe the schema the migrations produce:
 * tables, columns, types, nullability, defaults, primary and foreign keys,
 * unique constraints and indexes (partial ones included).
 *
 * CHECK constraints are left out: TypeORM compares them by name only, never by
 * expression, so restating them in the entities would be a second copy of
 * each limit that nothing verifies. They live in the migrations alone, where
 * the database enforces them. Expression indexes (lower(email)) are outside
 * what TypeORM reads, too.
 */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const checks: { conname: string }[] = await dataSource.query(`SELECT conname FROM pg_constraint WHERE contype = 'c'`);
  const isCheck = new Set(checks.map((c) => c.conname));
  const pending = await dataSource.driver.createSchemaBuilder().log();
  return pending.upQueries
    .map((q) => q.query)
    .filter((query) => {
      const dropped = /^ALTER TABLE "[^"]+" DROP CONSTRAINT "([^"]+)"$/.exec(query)?.[1];
      return dropped === undefined || !isCheck.has(dropped);
    });
}
