import 'reflect-metadata';
import { runMigrationsCli } from '@acme/persistence';
import { loadUserServiceConfig } from './config';
import { createUserDataSource } from './database/data-source';

// The migration step: `node dist/migrate.js` (npm start, compose one-shot service, Kubernetes Job).
runMigrationsCli('user-service', () => createUserDataSource(loadUserServiceConfig()));
