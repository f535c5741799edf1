import { SERVICES } from '@acme/contracts';
import type { LocalStackConfig } from './config';

export interface ServiceSpec {
  readonly name: string;
  readonly script: string;
  readonly migrate?: string;
  /** Database name (embedded Postgres) or URL variable it takes. */
  readonly database?: 'acme_users' | 'acme_orders';
  readonly grpc?: { readonly port: number; readonly service: string };
  /** HTTP servers are ready once `readinessPath` answers 200. */
  readonly http?: { readonly port: number; readonly readinessPath: string };
  env(config: LocalStackConfig, databaseUrl: string | undefined): Record<string, string>;
}

/** The system, in start order: each service starts after the ones it calls. */
export function services(config: LocalStackConfig): ServiceSpec[] {
  const common = { LOG_FORMAT: config.LOG_FORMAT, LOG_LEVEL: config.LOG_LEVEL, GRPC_HOST: '127.0.0.1' };
  return [
    {
      name: 'user-service',
      script: 'apps/user-service/dist/main.js',
      migrate: 'apps/user-service/dist/migrate.js',
      database: 'acme_users',
      grpc: { port: config.USER_SERVICE_PORT, service: SERVICES.user.typeName },
      env: (_c, url) => ({ ...common, GRPC_PORT: String(config.USER_SERVICE_PORT), DATABASE_URL: url ?? '' }),
    },
    {
      name: 'order-service',
      script: 'apps/order-service/dist/main.js',
      migrate: 'apps/order-service/dist/migrate.js',
      database: 'acme_orders',
      grpc: { port: config.ORDER_SERVICE_PORT, service: SERVICES.order.typeName },
      env: (_c, url) => ({
        ...common,
        GRPC_PORT: String(config.ORDER_SERVICE_PORT),
        DATABASE_URL: url ?? '',
        USER_SERVICE_URL: `dns:///127.0.0.1:${config.USER_SERVICE_PORT}`,
      }),
    },
    {
      name: 'api-gateway',
      script: 'apps/api-gateway/dist/main.js',
      http: { port: config.GATEWAY_PORT, readinessPath: '/readyz' },
      env: () => ({
        LOG_FORMAT: config.LOG_FORMAT,
        LOG_LEVEL: config.LOG_LEVEL,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(config.GATEWAY_PORT),
        USER_SERVICE_URL: `dns:///127.0.0.1:${config.USER_SERVICE_PORT}`,
        ORDER_SERVICE_URL: `dns:///127.0.0.1:${config.ORDER_SERVICE_PORT}`,
      }),
    },
  ];
}
