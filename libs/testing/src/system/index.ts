export * from './app-manifest';
export * from './app-registry';
export * from './databases';
export * from './launch-system';
export * from './process-output';
export * from './readiness';
export * from './service-process';
export * from './start-order';
