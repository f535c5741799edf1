import { DataSource, type DataSourceOptions } from 'typeorm';
import { postgresDataSourceOptions, postgresSettingsFromEnv } from '@acme/persistence';
import type { OrderServiceConfig } from '../config';
import { OrderEntity, OrderItemEntity } from '../orders/order.entity';
import { migrations } from './migrations';

/** The one place that describes order-service's database, used by the app, the migrator and the TypeORM CLI. */
export function orderDataSourceOptions(config: OrderServiceConfig): DataSourceOptions {
  return postgresDataSourceOptions(
    postgresSettingsFromEnv(config, {
      applicationName: 'order-service',
      entities: [OrderEntity, OrderItemEntity],
      migrations,
    }),
  );
}

export const createOrderDataSource = (config: OrderServiceConfig) => new DataSource(orderDataSourceOptions(config));
