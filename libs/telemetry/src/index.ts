export * from './start-telemetry';
export * from './telemetry-env';
export * from './trace-context';
