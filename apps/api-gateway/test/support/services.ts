import { createTestDatabase, freePort, ServiceProcess, type TestDatabase, workspacePath } from '@acme/testing';

const USER_SERVICE = workspacePath('apps/user-service/dist/main.js');
const ORDER_SERVICE = workspacePath('apps/order-service/dist/main.js');

/** The two real services, each as a child process with its own fresh database. */
export interface Services {
  readonly userDb: TestDatabase;
  readonly orderDb: TestDatabase;
  readonly userService: ServiceProcess;
  readonly orderService: ServiceProcess;
  /** Environment that points a gateway at these services. */
  readonly gatewayEnv: Record<string, string>;
  /** Starts user-service again (same port and database) after a test stopped it. */
  restartUserService(): Promise<ServiceProcess>;
  /** Stops both processes and drops both databases. */
  stop(): Promise<void>;
}

/**
 * Builds nothing: the api-gateway test target depends on the services' build,
 * so dist/ is current. Services log at debug, which logs every failed call
 * with its request id.
 */
export async function startServices(prefix: string, env: { userService?: Record<string, string> } = {}): Promise<Services> {
  const [userDb, orderDb, userPort, orderPort] = await Promise.all([
    createTestDatabase(`${prefix}_users`),
    createTestDatabase(`${prefix}_orders`),
    freePort(),
    freePort(),
  ]);
  const userEnv = { DATABASE_URL: userDb.url, GRPC_HOST: '127.0.0.1', GRPC_PORT: String(userPort), LOG_LEVEL: 'debug', ...env.userService };
  const orderEnv = {
    DATABASE_URL: orderDb.url,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(orderPort),
    USER_SERVICE_URL: `dns:///127.0.0.1:${userPort}`,
    LOG_LEVEL: 'debug',
  };
  const processes: ServiceProcess[] = [];
  const state = { userService: undefined as ServiceProcess | undefined };
  try {
    await Promise.all([
      ServiceProcess.run('user-service migrations', workspacePath('apps/user-service/dist/migrate.js'), userEnv),
      ServiceProcess.run('order-service migrations', workspacePath('apps/order-service/dist/migrate.js'), orderEnv),
    ]);
    const started = (service: ServiceProcess) => (processes.push(service), service);
    const startUsers = () =>
      ServiceProcess.start({ name: 'user-service', script: USER_SERVICE, env: userEnv, grpcAddress: `127.0.0.1:${userPort}` }).then(started);
    const [userService, orderService] = await Promise.all([
      startUsers(),
      ServiceProcess.start({ name: 'order-service', script: ORDER_SERVICE, env: orderEnv, grpcAddress: `127.0.0.1:${orderPort}` }).then(started),
    ]);
    state.userService = userService;
    return {
      userDb,
      orderDb,
      get userService() {
        return state.userService!;
      },
      orderService,
      gatewayEnv: { USER_SERVICE_URL: `dns:///127.0.0.1:${userPort}`, ORDER_SERVICE_URL: `dns:///127.0.0.1:${orderPort}` },
      async restartUserService() {
        const restarted = await startUsers();
        state.userService = restarted;
        return restarted;
      },
      async stop() {
        await Promise.all(processes.map((p) => p.stop('SIGKILL')));
        await Promise.all([userDb.drop(), orderDb.drop()]);
      },
    };
  } catch (error) {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await Promise.all([userDb.drop(), orderDb.drop()]);
    throw error;
  }
}
