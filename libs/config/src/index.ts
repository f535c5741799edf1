export * from './load-config';
export * from './env-schemas';
export * from './deployment-environment';
export * from './exit-on-startup-error';
