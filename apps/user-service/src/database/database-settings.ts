import { postgresSettingsFromEnv, type PostgresSettings } from '@acme/persistence';
import type { UserServiceConfig } from '../config';

/** How user-service reaches its own database: the app's pool and the migrator both use this. */
export const userDatabaseSettings = (config: UserServiceConfig): PostgresSettings => postgresSettingsFromEnv(config, 'user-service');
