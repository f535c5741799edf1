import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DescService } from '@bufbuild/protobuf';
import { EVENTS, SERVICES } from '@acme/contracts';
import { status } from '@grpc/grpc-js';
import { createUpstreamClient, grpcStatusOf, type Upstream } from '@acme/grpc-kit';
import { createTestVhost, EventTap, type TestVhost } from '@acme/messaging/testing';
import { ServiceProcess, TcpProxy, appScript, createTestDatabase, freePort, workspacePath, type TestDatabase } from '@acme/testing';

const EXCHANGE = 'acme.events';
export const ORDER_QUEUE = 'order-service.user-events';
export const ORDER_DLQ = `${ORDER_QUEUE}.dlq`;

/**
 * Compiles both services (incremental: quick when up to date) so no test runs
 * a stale dist/main.js. Test files run in parallel workers: flock(1) keeps two
 * builds from writing the same files at once.
 */
export async function buildServices(): Promise<void> {
  const tsc = [process.execPath, workspacePath('node_modules/typescript/bin/tsc'), '-b', 'apps/user-service/tsconfig.app.json', 'apps/order-service/tsconfig.app.json'];
  await promisify(execFile)('flock', [join(tmpdir(), 'acme-service-build.lock'), ...tsc], { cwd: workspacePath() });
}

/**
 * user-service and order-service as real processes, each with its own fresh
 * database, talking to the real RabbitMQ in a vhost of their own, through a
 * TCP proxy the test can cut off (the broker "goes away" for the services
 * only). A tap sees everything published on the events exchange.
 */
export class EventsSystem {
  readonly userServices: ServiceProcess[] = [];
  orderService!: ServiceProcess;
  users!: Upstream<typeof SERVICES.user>;
  orders!: Upstream<typeof SERVICES.order>;
  tap!: EventTap;
  private readonly userPorts: number[] = [];
  private orderPort = 0;

  private constructor(
    readonly vhost: TestVhost,
    readonly proxy: TcpProxy,
    readonly userDb: TestDatabase,
    readonly orderDb: TestDatabase,
    private readonly pollIntervalMs: number,
  ) {}

  /**
   * `pollIntervalMs`: the relays' polling (OUTBOX_POLL_INTERVAL_MS). Set it
   * longer than the suite, and every publication must have been started by
   * the commit that wrote it (the outbox trigger's notification).
   */
  static async start(options: { userServiceEnv?: Record<string, string>; pollIntervalMs?: number } = {}): Promise<EventsSystem> {
    const [vhost, userDb, orderDb] = await Promise.all([
      createTestVhost('e2e_events'),
      createTestDatabase('e2e_events_users'),
      createTestDatabase('e2e_events_orders'),
    ]);
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(vhost.url).port) });
    const system = new EventsSystem(vhost, proxy, userDb, orderDb, options.pollIntervalMs ?? 200);
    await Promise.all([
      ServiceProcess.run('user-service migrations', appScript('user-service', 'migrate'), { DATABASE_URL: userDb.url }),
      ServiceProcess.run('order-service migrations', appScript('order-service', 'migrate'), { DATABASE_URL: orderDb.url }),
    ]);
    system.tap = await EventTap.open(vhost.url, { exchange: EXCHANGE, routingKeys: ['#'] });
    const userPort = await system.startUserService(options.userServiceEnv);
    await system.startOrderService();
    system.users = client(userPort, SERVICES.user);
    system.orders = client(system.orderPort, SERVICES.order);
    return system;
  }

  /** The broker URL as the services see it (through the proxy). */
  get amqpUrl(): string {
    return this.vhost.urlVia(this.proxy.port);
  }

  /** Starts a user-service replica (on a new port, or `port`) on the shared database; returns its port. */
  async startUserService(env: Record<string, string> = {}, port?: number): Promise<number> {
    const grpcPort = port ?? (await freePort());
    const service = await ServiceProcess.start({
      name: `user-service:${grpcPort}`,
      script: appScript('user-service', 'serve'),
      grpcAddress: `127.0.0.1:${grpcPort}`,
      env: { ...this.commonEnv(grpcPort), DATABASE_URL: this.userDb.url, ...env },
    });
    this.userServices.push(service);
    if (!this.userPorts.includes(grpcPort)) this.userPorts.push(grpcPort);
    else await this.afterUserServiceRestart(grpcPort);
    return grpcPort;
  }

  /**
   * A replica came back on a port that clients knew. Their channels may sit in
   * reconnect backoff (at most 1 s, see clientChannelOptions) and would fail
   * fast meanwhile: give the test a fresh client, and wait until order-service
   * reaches user-service again (an order for an unknown user is refused with
   * FAILED_PRECONDITION only once user-service answered NOT_FOUND).
   */
  private async afterUserServiceRestart(port: number): Promise<void> {
    if (this.users && port === this.userPorts[0]) {
      this.users.close();
      this.users = client(port, SERVICES.user);
    }
    if (!this.orders) return;
    for (;;) {
      const code = await this.orders
        .createOrder({ userId: randomUUID(), idempotencyKey: 'probe', items: [{ sku: 'P', quantity: 1, unitPriceCents: 1n }] })
        .then(
          () => undefined,
          (error: unknown) => grpcStatusOf(error),
        );
      if (code === status.FAILED_PRECONDITION) return;
      if (code !== status.UNAVAILABLE) throw new Error(`order-service answered ${code} to a probe order`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Starts order-service and resolves once it consumes its queue (so the queue exists and is bound). */
  async startOrderService(): Promise<void> {
    this.orderPort ||= await freePort();
    this.orderService = await ServiceProcess.start({
      name: 'order-service',
      script: appScript('order-service', 'serve'),
      grpcAddress: `127.0.0.1:${this.orderPort}`,
      env: {
        ...this.commonEnv(this.orderPort),
        DATABASE_URL: this.orderDb.url,
        USER_SERVICE_URL: `ipv4:${this.userPorts.map((p) => `127.0.0.1:${p}`).join(',')}`,
        USER_SERVICE_DEADLINE_MS: '5000',
      },
    });
    await waitForLog(this.orderService, `consuming ${ORDER_QUEUE}`);
  }

  /** A user with `openOrders` open orders; returns the ids. */
  async userWithOrders(openOrders: number): Promise<{ userId: string; orderIds: string[] }> {
    const user = await this.users.createUser({ email: `u${Date.now()}${Math.random().toString(36).slice(2)}@example.com`, name: 'Test', idempotencyKey: '' });
    const orderIds: string[] = [];
    for (let i = 0; i < openOrders; i++) {
      const order = await this.orders.createOrder({
        userId: user.id,
        idempotencyKey: `k${i}`,
        items: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 100n }],
      });
      orderIds.push(order.id);
    }
    return { userId: user.id, orderIds };
  }

  /** Resolves when order-service has announced the cancellation of each of these orders. */
  cancellations(orderIds: readonly string[]): Promise<unknown> {
    return Promise.all(
      orderIds.map((orderId) =>
        this.tap.waitFor(
          (m) => m.properties.type === EVENTS.orderCancelled.type && EVENTS.orderCancelled.decode(m.content).orderId === orderId,
          1,
          `OrderCancelled for order ${orderId}`,
        ),
      ),
    );
  }

  async stop(): Promise<number[]> {
    this.users?.close();
    this.orders?.close();
    const codes = await Promise.all([this.orderService?.stop(), ...this.userServices.map((s) => s.stop())]);
    await this.tap?.close();
    await this.proxy.cut();
    await Promise.all([this.userDb.drop(), this.orderDb.drop(), this.vhost.delete()]);
    return codes.filter((c): c is number => typeof c === 'number');
  }

  private commonEnv(port: number): Record<string, string> {
    return {
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(port),
      LOG_LEVEL: 'info',
      AMQP_URL: this.amqpUrl,
      AMQP_RECONNECT_MAX_DELAY_MS: '500',
      OUTBOX_POLL_INTERVAL_MS: String(this.pollIntervalMs),
    };
  }
}

function client<S extends DescService>(port: number, service: S): Upstream<S> {
  // Test clients never retry: the tests must see exactly what the services answer.
  return createUpstreamClient({ target: `127.0.0.1:${port}`, service, deadlineMs: 10_000, retry: false });
}

/** Resolves once the process has logged `text` (logs are JSON lines at LOG_LEVEL=info). Rejects if it exits first. */
export function waitForLog(service: ServiceProcess, text: string, timeoutMs = 20_000): Promise<void> {
  if (service.logs.includes(text)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!service.logs.includes(text)) return;
      done();
      resolve();
    };
    const exited = () => {
      done();
      reject(new Error(`${service.options.name} exited while we waited for the log line "${text}":\n${service.logs}`));
    };
    // A failsafe with a readable message, not a speed requirement.
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${service.options.name} did not log "${text}" within ${timeoutMs} ms:\n${service.logs.slice(-4000)}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      service.child.stdout?.off('data', check);
      service.child.stderr?.off('data', check);
      service.child.off('exit', exited);
    };
    service.child.stdout?.on('data', check);
    service.child.stderr?.on('data', check);
    service.child.once('exit', exited);
  });
}
