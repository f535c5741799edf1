export * from './test-database';
export * from './free-port';
export * from './service-process';
export * from './workspace';
export * from './migrated-database';
export * from './tcp-proxy';
export * from './service-stack';
export * from './raw-grpc';
