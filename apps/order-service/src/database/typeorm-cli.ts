// Entry for the TypeORM CLI, e.g.:
//   npx typeorm migration:generate -d apps/order-service/dist/database/typeorm-cli.js apps/order-service/src/database/migrations/<name>
import 'reflect-metadata';
import { loadOrderServiceConfig } from '../config';
import { createOrderDataSource } from './data-source';

export default createOrderDataSource(loadOrderServiceConfig());
