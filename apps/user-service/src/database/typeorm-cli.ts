// Entry for the TypeORM CLI (`npm run migration:generate -w ...` style tooling):
//   npx typeorm migration:generate -d apps/user-service/dist/database/typeorm-cli.js apps/user-service/src/database/migrations/<name>
import 'reflect-metadata';
import { loadUserServiceConfig } from '../config';
import { createUserDataSource } from './data-source';

export default createUserDataSource(loadUserServiceConfig());
