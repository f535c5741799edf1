import { Database } from './database';

/**
 * A readiness check on the service's database. Shaped like grpc-kit's
 * ReadinessCheck (which it satisfies) without importing it: persistence does
 * not know which transport reports health.
 */
export interface DatabaseReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

/** Readiness: the service's database answers `SELECT 1` within `timeoutMs`. */
export function databaseReadinessCheck(database: Database, timeoutMs: number): DatabaseReadinessCheck {
  return {
    name: 'database',
    async check() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([database.query('SELECT 1'), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * The database readiness check as a Nest factory (on the service's
 * Database), for a health module's `readiness` option, e.g.
 * `GrpcServerModule.forRoot({ …, readiness: databaseReadiness() })`.
 */
export function databaseReadiness(timeoutMs = 1_000) {
  return {
    inject: [Database],
    useFactory: (database: Database): DatabaseReadinessCheck[] => [databaseReadinessCheck(database, timeoutMs)],
  };
}
