import { PROTO_FILES, orderV1, userV1 } from '@acme/contracts';
import { createUpstreamClient, type Upstream } from '@acme/grpc-kit';
import { ServiceProcess, createTestDatabase, freePort, workspacePath, type TestDatabase } from '@acme/testing';

export interface SystemOptions {
  /** order-service's deadline for each call to user-service. */
  readonly userServiceDeadlineMs?: number;
  readonly extraEnv?: Record<string, string>;
}

/** user-service and order-service as real processes on free ports, each with its own fresh database. */
export class RunningSystem {
  private constructor(
    readonly userDb: TestDatabase,
    readonly orderDb: TestDatabase,
    readonly userPort: number,
    readonly orderPort: number,
    public userService: ServiceProcess,
    readonly orderService: ServiceProcess,
    readonly users: Upstream<userV1.UserServiceClient>,
    readonly orders: Upstream<orderV1.OrderServiceClient>,
  ) {}

  static async start(options: SystemOptions = {}): Promise<RunningSystem> {
    const [userDb, orderDb] = await Promise.all([createTestDatabase('e2e_users'), createTestDatabase('e2e_orders')]);
    const [userPort, orderPort] = await Promise.all([freePort(), freePort()]);
    await Promise.all([
      ServiceProcess.run('user-service migrations', workspacePath('apps/user-service/dist/migrate.js'), { DATABASE_URL: userDb.url }),
      ServiceProcess.run('order-service migrations', workspacePath('apps/order-service/dist/migrate.js'), { DATABASE_URL: orderDb.url }),
    ]);
    const userService = await startUserService(userDb, userPort, options);
    const orderService = await ServiceProcess.start({
      name: 'order-service',
      script: workspacePath('apps/order-service/dist/main.js'),
      grpcAddress: `127.0.0.1:${orderPort}`,
      env: {
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(orderPort),
        DATABASE_URL: orderDb.url,
        USER_SERVICE_URL: `dns:///127.0.0.1:${userPort}`,
        USER_SERVICE_DEADLINE_MS: String(options.userServiceDeadlineMs ?? 2_000),
        ...options.extraEnv,
      },
    });
    // Test clients never retry: the tests must see exactly what the services answer.
    const users = createUpstreamClient<userV1.UserServiceClient>({
      target: `127.0.0.1:${userPort}`,
      package: userV1.ACME_USER_V1_PACKAGE_NAME,
      protoFile: PROTO_FILES.user,
      service: userV1.USER_SERVICE_NAME,
      deadlineMs: 10_000,
      retryableMethods: [],
    });
    const orders = createUpstreamClient<orderV1.OrderServiceClient>({
      target: `127.0.0.1:${orderPort}`,
      package: orderV1.ACME_ORDER_V1_PACKAGE_NAME,
      protoFile: PROTO_FILES.order,
      service: orderV1.ORDER_SERVICE_NAME,
      deadlineMs: 10_000,
      retryableMethods: [],
    });
    return new RunningSystem(userDb, orderDb, userPort, orderPort, userService, orderService, users, orders);
  }

  /** Starts user-service again (after a test stopped it), on the same port and database. */
  async restartUserService(options: SystemOptions = {}): Promise<void> {
    if (this.userService.running) await this.userService.stop();
    this.userService = await startUserService(this.userDb, this.userPort, options);
  }

  async orderRowCount(): Promise<number> {
    const rows = await this.orderDb.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
    return rows[0]?.n ?? 0;
  }

  async stop(): Promise<void> {
    this.users.close();
    this.orders.close();
    await Promise.all([this.orderService.stop(), this.userService.stop()]);
    await Promise.all([this.userDb.drop(), this.orderDb.drop()]);
  }
}

function startUserService(userDb: TestDatabase, port: number, options: SystemOptions): Promise<ServiceProcess> {
  return ServiceProcess.start({
    name: 'user-service',
    script: workspacePath('apps/user-service/dist/main.js'),
    grpcAddress: `127.0.0.1:${port}`,
    env: { GRPC_HOST: '127.0.0.1', GRPC_PORT: String(port), DATABASE_URL: userDb.url, ...options.extraEnv },
  });
}
