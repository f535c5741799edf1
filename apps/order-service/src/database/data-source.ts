import { DataSource, type DataSourceOptions } from 'typeorm';
import { postgresDataSourceOptions } from '@acme/persistence';
import type { OrderServiceConfig } from '../config';
import { OrderEntity, OrderItemEntity } from '../orders/order.entity';
import { orderDatabaseSettings } from './database-settings';
import { migrations } from './migrations';

/**
 * order-service's schema for TypeORM: for the migrator, the TypeORM CLI and
 * the schema tests. The app itself never loads this (see postgresDataSourceOptions).
 */
export function orderDataSourceOptions(config: OrderServiceConfig): DataSourceOptions {
  return postgresDataSourceOptions(orderDatabaseSettings(config), { entities: [OrderEntity, OrderItemEntity], migrations });
}

export const createOrderDataSource = (config: OrderServiceConfig) => new DataSource(orderDataSourceOptions(config));

/** Both descriptions of the database, for tests that need the app's pool and the migrated schema. */
export const orderDatabase = { settings: orderDatabaseSettings, dataSource: orderDataSourceOptions };
