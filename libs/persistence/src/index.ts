export * from './data-source-options';
export * from './database-errors';
export * from './database-readiness';
export * from './paging';
export * from './run-migrations';
export * from './database-env';
export * from './typeorm-logger';
export * from './service-defaults';
