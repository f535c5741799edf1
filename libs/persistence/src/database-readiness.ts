import type { DataSource } from 'typeorm';
import type { ReadinessCheck } from '@acme/grpc-kit';

/** Readiness: the service's database answers `SELECT 1` within `timeoutMs`. */
export function databaseReadinessCheck(dataSource: DataSource, timeoutMs: number): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([dataSource.query('SELECT 1'), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
