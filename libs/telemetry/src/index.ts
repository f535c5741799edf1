export * from './start-telemetry';
export * from './telemetry-env';
export * from './trace-context';
export * from './metrics';
export * from './metrics-env';
export * from './metrics-instruments';
