import { DataSource, type DataSourceOptions } from 'typeorm';
import { postgresDataSourceOptions } from '@acme/persistence';
import type { UserServiceConfig } from '../config';
import { UserEntity } from '../users/user.entity';
import { userDatabaseSettings } from './database-settings';
import { migrations } from './migrations';

/**
 * user-service's schema for TypeORM: for the migrator, the TypeORM CLI and
 * the schema tests. The app itself never loads this (see postgresDataSourceOptions).
 */
export function userDataSourceOptions(config: UserServiceConfig): DataSourceOptions {
  return postgresDataSourceOptions(userDatabaseSettings(config), { entities: [UserEntity], migrations });
}

export const createUserDataSource = (config: UserServiceConfig) => new DataSource(userDataSourceOptions(config));

/** Both descriptions of the database, for tests that need the app's pool and the migrated schema. */
export const userDatabase = { settings: userDatabaseSettings, dataSource: userDataSourceOptions };
