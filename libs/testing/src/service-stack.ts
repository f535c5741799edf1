import { SERVICES } from '@acme/contracts';
import type { Upstream } from '@acme/grpc-kit';
import type { DevIdentity } from './dev-identity';
import { freshTestDatabases } from './system/databases';
import { launchSystem, type ProxyOptions } from './system/launch-system';
import type { RunningSystem } from './system/running-system';
import type { ServiceProcess } from './system/service-process';
import type { Database } from './test-database';
import { testClient } from './test-client';

export interface ServiceStackOptions {
  /** Prefix of the test databases' names. */
  readonly prefix?: string;
  /** order-service's deadline for each call to user-service. */
  readonly userServiceDeadlineMs?: number;
  /** One user-service replica per host, all on the same port (127.0.0.0/8 is all loopback on Linux). */
  readonly userReplicaHosts?: readonly string[];
  /** TCP proxies to cut (e.g. user-service's database, or user-service for order-service). */
  readonly proxies?: ProxyOptions;
  readonly userEnv?: Record<string, string>;
  readonly orderEnv?: Record<string, string>;
}

const USER = 'user-service';
const ORDER = 'order-service';

/**
 * user-service (one or more replicas) and order-service, launched by
 * launchSystem with a fresh database each (migrated), at LOG_LEVEL=warn, plus
 * gRPC clients that never retry, so tests see exactly what the services
 * answer, calling with a real admin token from the development identity provider.
 */
export class ServiceStack {
  readonly users: Upstream<typeof SERVICES.user>;
  readonly orders: Upstream<typeof SERVICES.order>;

  /** The clients call as the development provider's admin, who may act for every user. */
  private constructor(
    readonly system: RunningSystem,
    adminToken: string,
  ) {
    this.users = testClient(system.address(USER), SERVICES.user, adminToken);
    this.orders = testClient(system.address(ORDER), SERVICES.order, adminToken);
  }

  static async start(options: ServiceStackOptions = {}): Promise<ServiceStack> {
    const system = await launchSystem({
      apps: [USER, ORDER],
      databases: freshTestDatabases(options.prefix ?? 'e2e'),
      replicas: options.userReplicaHosts ? { [USER]: { hosts: options.userReplicaHosts } } : {},
      proxies: options.proxies,
      env: { LOG_LEVEL: 'warn' },
      appEnv: {
        [USER]: options.userEnv ?? {},
        [ORDER]: { USER_SERVICE_DEADLINE_MS: String(options.userServiceDeadlineMs ?? 2_000), ...options.orderEnv },
      },
    });
    try {
      return new ServiceStack(system, await system.identity.token('admin'));
    } catch (error) {
      await system.stop('SIGKILL');
      throw error;
    }
  }

  get identity(): DevIdentity {
    return this.system.identity;
  }

  get userDb(): Database {
    return this.system.database(USER);
  }

  get orderDb(): Database {
    return this.system.database(ORDER);
  }

  get userPort(): number {
    return this.system.port(USER);
  }

  get orderPort(): number {
    return this.system.port(ORDER);
  }

  get userServices(): ServiceProcess[] {
    return this.system.processes(USER);
  }

  /** The first (or only) user-service replica. */
  get userService(): ServiceProcess {
    return this.system.process(USER);
  }

  get orderService(): ServiceProcess {
    return this.system.process(ORDER);
  }

  /** What points an api-gateway at these services. */
  get gatewayEnv(): Record<string, string> {
    return this.system.upstreamEnv('api-gateway');
  }

  /** Starts the first user-service replica again (after a test stopped it), on the same address and database. */
  restartUserService(): Promise<ServiceProcess> {
    return this.system.restart(USER);
  }

  async orderRowCount(): Promise<number> {
    const rows = await this.orderDb.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
    return rows[0]?.n ?? 0;
  }

  /** Closes the clients, stops every process (SIGTERM: graceful) and drops both databases. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.users.close();
    this.orders.close();
    await this.system.stop(signal);
  }
}
