/**
 * Anything that runs SQL with positional parameters: a TypeORM DataSource,
 * EntityManager (inside a transaction) or QueryRunner. Statements here always
 * return rows (SELECT, or data-modifying statements with RETURNING / inside a
 * WITH), so the result shape is the same for all of them.
 */
export interface SqlExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** Validates a table name that is interpolated into SQL (it cannot be a parameter). */
export function sqlIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return name;
}
