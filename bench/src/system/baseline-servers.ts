import { PATH_ONLY, workspacePath, type ServiceProcessOptions } from '@acme/testing';
import type { BenchDatabases } from './databases';

/** The raw grpc-js + pg servers (bench/baseline), in start order: they are not apps, so they have no manifest. */
export const BASELINE_KEYS = ['baseline-user', 'baseline-order'] as const;
export type BaselineKey = (typeof BASELINE_KEYS)[number];

/** How to start one baseline server on `ports[key]`, on the baseline's copies of the databases. */
export function baselineServer(key: BaselineKey, ports: Record<BaselineKey, number>, databases: BenchDatabases): Omit<ServiceProcessOptions, 'name'> {
  const common = { ...PATH_ONLY, NODE_ENV: 'production', GRPC_PORT: String(ports[key]) };
  const readiness = { grpcHealth: `127.0.0.1:${ports[key]}` };
  return key === 'baseline-user'
    ? { script: workspacePath('bench/dist/baseline/user-server.js'), env: { ...common, DATABASE_URL: databases.baselineUsers.url }, readiness }
    : {
        script: workspacePath('bench/dist/baseline/order-server.js'),
        env: { ...common, DATABASE_URL: databases.baselineOrders.url, USER_SERVICE_URL: `dns:///127.0.0.1:${ports['baseline-user']}` },
        readiness,
      };
}
