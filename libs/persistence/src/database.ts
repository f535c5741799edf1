import { Logger } from '@nestjs/common';
import { Pool, type PoolClient, type QueryResultRow } from 'pg';
import { poolConfig, type PostgresSettings } from './postgres-settings';
import { statementName } from './statement-names';
import { observePool } from './pool-metrics';

/**
 * Runs SQL with positional parameters and returns the rows. The statements of
 * this codebase always return rows (SELECT, or data-modifying statements with
 * RETURNING or inside a WITH), so rows are the whole result.
 */
export interface SqlExecutor {
  query<T = QueryResultRow>(text: string, values?: readonly unknown[]): Promise<T[]>;
}

/**
 * A service's database at run time: the one route its SQL takes. A pg pool;
 * every statement a named prepared statement (statement-names.ts); a
 * transaction is one pooled connection between BEGIN and COMMIT.
 */
export class Database implements SqlExecutor {
  private readonly logger = new Logger('Database');
  private readonly pool: Pool;
  private closed: Promise<void> | undefined;
  private readonly stopObserving: () => void;

  constructor(readonly settings: PostgresSettings) {
    this.pool = new Pool(poolConfig(settings));
    // An idle connection that dies (database restart, network cut) is dropped
    // by the pool and reported here; without a listener it would crash the process.
    this.pool.on('error', (error) => this.logger.warn(`an idle database connection failed: ${error.message}`));
    this.stopObserving = observePool(this.pool, settings.applicationName);
  }

  /** The postgres:// URL, for a connection of its own outside the pool (LISTEN). */
  get url(): string {
    return this.settings.url;
  }

  query<T = QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<T[]> {
    return run<T>(this.pool, text, values);
  }

  /**
   * Runs `work` in a transaction and commits what it did, or rolls it back if
   * it throws (and rethrows). `tx` is usable only until `work` settles.
   */
  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let open = true;
    let broken: Error | undefined;
    // A checked-out connection that dies emits 'error' on itself (the pool
    // listens only to idle ones): unheard, it would crash the process. The
    // statement in flight fails with it anyway; the connection is discarded.
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    const tx: SqlExecutor = {
      query: <R>(text: string, values: readonly unknown[] = []) => {
        if (!open) return Promise.reject(new Error('this transaction is over: run statements inside its work function'));
        return run<R>(client, text, values);
      },
    };
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection whose ROLLBACK failed is in an unknown state: discard it rather than return it to the pool.
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      open = false;
      client.off('error', onError);
      client.release(broken);
    }
  }

  /**
   * At startup the database may still be coming up beside us: try to connect
   * until it answers, `attempts` times `delayMs` apart, then give up with the
   * last error. Later outages do not stop the process: the pool reconnects and
   * readiness reports NOT_SERVING meanwhile.
   */
  async waitUntilReachable(attempts: number, delayMs: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.pool.query('SELECT 1');
        return;
      } catch (error) {
        if (attempt >= attempts) throw new Error(`the database did not answer after ${attempts} attempts: ${(error as Error).message}`);
        this.logger.warn(`the database does not answer yet (${(error as Error).message}); attempt ${attempt} of ${attempts}`);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /** Closes every connection (after what is running finished). */
  close(): Promise<void> {
    this.stopObserving();
    this.closed ??= this.pool.end();
    return this.closed;
  }
}

async function run<T>(on: Pool | PoolClient, text: string, values: readonly unknown[]): Promise<T[]> {
  const result = await on.query({ name: statementName(text), text, values: values as unknown[] });
  // The caller states the row type its statement's columns have; pg cannot check it.
  return result.rows as T[];
}
