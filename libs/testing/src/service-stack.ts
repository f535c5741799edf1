import { SERVICES } from '@acme/contracts';
import { createUpstreamClient, type Upstream } from '@acme/grpc-kit';
import { freePort } from './free-port';
import { ServiceProcess } from './service-process';
import { createTestDatabase, type TestDatabase } from './test-database';
import { appScript } from './app-scripts';

export interface ServiceStackOptions {
  /** Prefix of the test databases' names. */
  readonly prefix?: string;
  /** order-service's deadline for each call to user-service. */
  readonly userServiceDeadlineMs?: number;
  /** One user-service replica per host, all on the same port (127.0.0.0/8 is all loopback on Linux). */
  readonly userReplicaHosts?: readonly string[];
  /** Port for user-service (default: a free one), e.g. to put a TcpProxy in front of it first. */
  readonly userPort?: number;
  /** Rewrites user-service's database URL, e.g. to route it through a TcpProxy. */
  readonly userDatabaseUrl?: (url: string) => string;
  readonly userEnv?: Record<string, string>;
  readonly orderEnv?: Record<string, string>;
}

/**
 * user-service (one or more replicas) and order-service as real processes,
 * from their built dist/, on free ports, each with its own fresh database
 * (migrated), plus gRPC clients that never retry, so tests see exactly what
 * the services answer.
 */
export class ServiceStack {
  private constructor(
    private readonly options: ServiceStackOptions,
    readonly userDb: TestDatabase,
    readonly orderDb: TestDatabase,
    readonly userPort: number,
    readonly orderPort: number,
    readonly userServices: ServiceProcess[],
    readonly orderService: ServiceProcess,
    readonly users: Upstream<typeof SERVICES.user>,
    readonly orders: Upstream<typeof SERVICES.order>,
  ) {}

  static async start(options: ServiceStackOptions = {}): Promise<ServiceStack> {
    const prefix = options.prefix ?? 'e2e';
    const hosts = options.userReplicaHosts ?? ['127.0.0.1'];
    const [userDb, orderDb] = await Promise.all([createTestDatabase(`${prefix}_users`), createTestDatabase(`${prefix}_orders`)]);
    const started: ServiceProcess[] = [];
    try {
      const [userPort, orderPort] = await Promise.all([options.userPort ?? freePort(), freePort()]);
      await Promise.all([
        ServiceProcess.run('user-service migrations', appScript('user-service', 'migrate'), { DATABASE_URL: userDb.url }),
        ServiceProcess.run('order-service migrations', appScript('order-service', 'migrate'), { DATABASE_URL: orderDb.url }),
      ]);
      const track = (service: ServiceProcess) => (started.push(service), service);
      const [orderService, ...userServices] = await Promise.all([
        ServiceProcess.start({
          name: 'order-service',
          script: appScript('order-service', 'serve'),
          grpcAddress: `127.0.0.1:${orderPort}`,
          env: {
            GRPC_HOST: '127.0.0.1',
            GRPC_PORT: String(orderPort),
            DATABASE_URL: orderDb.url,
            // One replica: a DNS target, as in production. Several: a static address list (round_robin either way).
            USER_SERVICE_URL:
              hosts.length === 1 ? `dns:///127.0.0.1:${userPort}` : `ipv4:${hosts.map((h) => `${h}:${userPort}`).join(',')}`,
            USER_SERVICE_DEADLINE_MS: String(options.userServiceDeadlineMs ?? 2_000),
            ...options.orderEnv,
          },
        }).then(track),
        ...hosts.map((host) => startUserService(host, userPort, userDb, options).then(track)),
      ]);
      const users = createUpstreamClient({
        target: `${hosts[0]}:${userPort}`,
        service: SERVICES.user,
        deadlineMs: 10_000,
        retry: false,
      });
      const orders = createUpstreamClient({
        target: `127.0.0.1:${orderPort}`,
        service: SERVICES.order,
        deadlineMs: 10_000,
        retry: false,
      });
      return new ServiceStack(options, userDb, orderDb, userPort, orderPort, userServices, orderService, users, orders);
    } catch (error) {
      await Promise.all(started.map((s) => s.stop('SIGKILL')));
      await Promise.all([userDb.drop(), orderDb.drop()]);
      throw error;
    }
  }

  /** The first (or only) user-service replica. */
  get userService(): ServiceProcess {
    const first = this.userServices[0];
    if (!first) throw new Error('no user-service replica');
    return first;
  }

  /** What points an api-gateway at these services. */
  get gatewayEnv(): Record<string, string> {
    return { USER_SERVICE_URL: `dns:///127.0.0.1:${this.userPort}`, ORDER_SERVICE_URL: `dns:///127.0.0.1:${this.orderPort}` };
  }

  /** Starts the first user-service replica again (after a test stopped it), on the same address and database. */
  async restartUserService(): Promise<ServiceProcess> {
    const host = this.options.userReplicaHosts?.[0] ?? '127.0.0.1';
    if (this.userService.running) await this.userService.stop();
    const restarted = await startUserService(host, this.userPort, this.userDb, this.options);
    this.userServices[0] = restarted;
    return restarted;
  }

  async orderRowCount(): Promise<number> {
    const rows = await this.orderDb.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
    return rows[0]?.n ?? 0;
  }

  /** Closes the clients, stops every process (SIGTERM: graceful) and drops both databases. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.users.close();
    this.orders.close();
    await Promise.all([this.orderService.stop(signal), ...this.userServices.map((s) => s.stop(signal))]);
    await Promise.all([this.userDb.drop(), this.orderDb.drop()]);
  }
}

function startUserService(host: string, port: number, userDb: TestDatabase, options: ServiceStackOptions): Promise<ServiceProcess> {
  return ServiceProcess.start({
    name: `user-service@${host}`,
    script: appScript('user-service', 'serve'),
    grpcAddress: `${host}:${port}`,
    env: {
      GRPC_HOST: host,
      GRPC_PORT: String(port),
      DATABASE_URL: options.userDatabaseUrl ? options.userDatabaseUrl(userDb.url) : userDb.url,
      ...options.userEnv,
    },
  });
}
