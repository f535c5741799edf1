import { postgresSettingsFromEnv, type PostgresSettings } from '@acme/persistence';
import type { OrderServiceConfig } from '../config';

/** How order-service reaches its own database: the app's pool and the migrator both use this. */
export const orderDatabaseSettings = (config: OrderServiceConfig): PostgresSettings => postgresSettingsFromEnv(config, 'order-service');
