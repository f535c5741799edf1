import { DataSource, type DataSourceOptions } from 'typeorm';
import { postgresDataSourceOptions, postgresSettingsFromEnv } from '@acme/persistence';
import type { UserServiceConfig } from '../config';
import { UserEntity } from '../users/user.entity';
import { migrations } from './migrations';

/** The one place that describes user-service's database, used by the app, the migrator and the TypeORM CLI. */
export function userDataSourceOptions(config: UserServiceConfig): DataSourceOptions {
  return postgresDataSourceOptions(
    postgresSettingsFromEnv(config, { applicationName: 'user-service', entities: [UserEntity], migrations }),
  );
}

export const createUserDataSource = (config: UserServiceConfig) => new DataSource(userDataSourceOptions(config));
