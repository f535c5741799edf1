import { randomBytes } from 'node:crypto';
import { appScript, workspacePath } from '@acme/testing';
import type { SystemName } from '../model';
import type { Readiness } from './bench-process';
import type { BenchDatabases } from './databases';

/** Every server process the benchmark runs. */
export type ProcessKey = 'user-service' | 'order-service' | 'api-gateway' | 'baseline-user' | 'baseline-order';

export interface ServiceSpec {
  readonly key: ProcessKey;
  readonly system: SystemName;
  readonly script: string;
  readonly readyWhen: string;
  env(port: number): Record<string, string>;
  readiness(port: number): Readiness;
}

const grpcReady = (port: number): Readiness => ({ grpcAddress: `127.0.0.1:${port}` });

/**
 * How each server is started. The services run as in production
 * (NODE_ENV=production, LOG_LEVEL=info, so the gateway writes its access
 * log), without AMQP_URL: OrderCreated rows wait in the outbox, and
 * publishing them is not part of the measured path.
 * `ports` gives the upstreams' ports for the servers that call others.
 */
export function serviceSpecs(databases: BenchDatabases, ports: () => Record<ProcessKey, number>): Record<ProcessKey, ServiceSpec> {
  const common = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    PAGE_TOKEN_SECRET: randomBytes(32).toString('hex'),
  };
  const grpcTarget = (key: ProcessKey) => `dns:///127.0.0.1:${ports()[key]}`;
  return {
    'user-service': {
      key: 'user-service',
      system: 'product',
      script: appScript('user-service', 'serve'),
      readyWhen: 'gRPC health SERVING',
      env: (port) => ({ ...common, GRPC_HOST: '127.0.0.1', GRPC_PORT: String(port), DATABASE_URL: databases.productUsers.url }),
      readiness: grpcReady,
    },
    'order-service': {
      key: 'order-service',
      system: 'product',
      script: appScript('order-service', 'serve'),
      readyWhen: 'gRPC health SERVING',
      env: (port) => ({
        ...common,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(port),
        DATABASE_URL: databases.productOrders.url,
        USER_SERVICE_URL: grpcTarget('user-service'),
      }),
      readiness: grpcReady,
    },
    'api-gateway': {
      key: 'api-gateway',
      system: 'gateway',
      script: appScript('api-gateway', 'serve'),
      readyWhen: 'HTTP listening (log line)',
      env: (port) => ({
        ...common,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        USER_SERVICE_URL: grpcTarget('user-service'),
        ORDER_SERVICE_URL: grpcTarget('order-service'),
      }),
      readiness: () => ({ logLine: /api-gateway listening on/ }),
    },
    'baseline-user': {
      key: 'baseline-user',
      system: 'baseline',
      script: workspacePath('bench/dist/baseline/user-server.js'),
      readyWhen: 'gRPC health SERVING',
      env: (port) => ({ NODE_ENV: 'production', GRPC_PORT: String(port), DATABASE_URL: databases.baselineUsers.url }),
      readiness: grpcReady,
    },
    'baseline-order': {
      key: 'baseline-order',
      system: 'baseline',
      script: workspacePath('bench/dist/baseline/order-server.js'),
      readyWhen: 'gRPC health SERVING',
      env: (port) => ({
        NODE_ENV: 'production',
        GRPC_PORT: String(port),
        DATABASE_URL: databases.baselineOrders.url,
        USER_SERVICE_URL: grpcTarget('baseline-user'),
      }),
      readiness: grpcReady,
    },
  };
}

/** Start order: upstreams before the servers that call them. */
export const START_ORDER: readonly (readonly ProcessKey[])[] = [
  ['user-service', 'baseline-user'],
  ['order-service', 'baseline-order'],
  ['api-gateway'],
];
