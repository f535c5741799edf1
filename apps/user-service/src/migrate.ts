import 'reflect-metadata';
import { exitOnStartupError } from '@acme/config';
import { runMigrations } from '@acme/persistence';
import { loadUserServiceConfig } from './config';
import { createUserDataSource } from './database/data-source';

// The migration step: `node dist/migrate.js` (npm start, compose one-shot service, Kubernetes Job).
runMigrations(createUserDataSource(loadUserServiceConfig()), (line) => console.log(`user-service ${line}`)).then(
  () => process.exit(0),
  exitOnStartupError('user-service migrations'),
);
