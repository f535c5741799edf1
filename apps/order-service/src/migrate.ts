import 'reflect-metadata';
import { runMigrationsCli } from '@acme/persistence';
import { loadOrderServiceConfig } from './config';
import { createOrderDataSource } from './database/data-source';

// The migration step: `node dist/migrate.js` (npm start, compose one-shot service, Kubernetes Job).
runMigrationsCli('order-service', () => createOrderDataSource(loadOrderServiceConfig()));
