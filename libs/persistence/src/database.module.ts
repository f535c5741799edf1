import { type DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Database } from './database';
import type { PostgresSettings } from './postgres-settings';

// At startup, wait up to ~30 s for the database (it may start alongside us), then give up loudly.
const STARTUP_ATTEMPTS = 30;
const STARTUP_RETRY_DELAY_MS = 1_000;

/**
 * The service's Database, app-wide (every repository, the outbox relay and
 * the event consumers share its pool). Its connections close at application
 * shutdown, after the relay and consumers stopped in beforeApplicationShutdown.
 * Health is the transport's business: plug `databaseReadiness()` into it.
 */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(private readonly database: Database) {}

  static forRoot(settings: PostgresSettings): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: Database,
          useFactory: async () => {
            const database = new Database(settings);
            try {
              await database.waitUntilReachable(STARTUP_ATTEMPTS, STARTUP_RETRY_DELAY_MS);
            } catch (error) {
              await database.close();
              throw error;
            }
            return database;
          },
        },
      ],
      exports: [Database],
    };
  }

  onApplicationShutdown(): Promise<void> {
    return this.database.close();
  }
}
