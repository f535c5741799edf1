import 'reflect-metadata';
import { exitOnStartupError } from '@acme/config';
import { runMigrations } from '@acme/persistence';
import { loadOrderServiceConfig } from './config';
import { createOrderDataSource } from './database/data-source';

// The migration step: `node dist/migrate.js` (npm start, compose one-shot service, Kubernetes Job).
runMigrations(createOrderDataSource(loadOrderServiceConfig()), (line) => console.log(`order-service ${line}`)).then(
  () => process.exit(0),
  exitOnStartupError('order-service migrations'),
);
