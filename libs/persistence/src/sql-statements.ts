import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Runs SQL straight on the DataSource's own pg pool, as named prepared
 * statements: parsed and planned once per connection, then only executed.
 * For repositories on hot paths. Measured per GetUser call (client CPU, see
 * docs/benchmarks.md): TypeORM `findOneBy` ~105 µs, `dataSource.query` ~40 µs,
 * a named statement on the pool ~30 µs. TypeORM still owns the connection
 * pool's configuration and lifecycle, the schema (migrations) and
 * transactions; this only skips its query builder and query runner.
 */
export class SqlStatements {
  private readonly pool: Pool;

  constructor(dataSource: DataSource) {
    // TypeORM's Postgres driver keeps its pg.Pool as `master` (public, untyped).
    const pool = (dataSource.driver as unknown as { master?: Pool }).master;
    if (!pool) throw new Error('SqlStatements needs an initialized Postgres DataSource');
    this.pool = pool;
  }

  /** Rows of a statement. `name` identifies the statement text: one name, one text. */
  async rows<T extends QueryResultRow>(name: string, text: string, values: unknown[]): Promise<T[]> {
    return (await this.pool.query<T>({ name, text, values })).rows;
  }
}
