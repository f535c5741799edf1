/**
 * What messaging needs of a service's database, stated here so the lib does
 * not depend on @acme/persistence (a sibling layer): its Database satisfies
 * both interfaces, as does any pg-backed equivalent.
 *
 * SqlExecutor runs SQL with positional parameters and returns the rows (these
 * statements always return rows: SELECT, or data-modifying statements with
 * RETURNING or inside a WITH). Inside `transaction` it is the transaction.
 */
export interface SqlExecutor {
  query<T = unknown>(text: string, values?: readonly unknown[]): Promise<T[]>;
}

export interface SqlDatabase extends SqlExecutor {
  /** Commits what `work` did, or rolls it back if it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** postgres:// URL, for the relay's own LISTEN connection. */
  readonly url: string;
}

/** Validates a table name that is interpolated into SQL (it cannot be a parameter). */
export function sqlIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return name;
}
