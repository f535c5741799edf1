import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EVENTS, SERVICES } from '@acme/contracts';
import { status } from '@grpc/grpc-js';
import { grpcStatusOf, type Upstream } from '@acme/grpc-kit';
import { createTestVhost, EventTap, type TestVhost } from '@acme/messaging/testing';
import { freshTestDatabases, launchSystem, testClient, workspacePath, type RunningSystem, type ServiceProcess, type TcpProxy } from '@acme/testing';

const EXCHANGE = 'acme.events';
export const ORDER_QUEUE = 'order-service.user-events';
export const ORDER_DLQ = `${ORDER_QUEUE}.dlq`;
const USER = 'user-service';
const ORDER = 'order-service';

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
 * user-service and order-service launched by launchSystem, each with its own
 * fresh database, talking to the real RabbitMQ in a vhost of their own
 * through a TCP proxy the test can cut off (the broker "goes away" for the
 * services only). A tap, opened before the services start, sees everything
 * published on the events exchange.
 */
export class EventsSystem {
  /** Every user-service process started, in order (restarts add to it; stopped ones stay). */
  readonly userServices: ServiceProcess[];
  users: Upstream<typeof SERVICES.user>;
  readonly orders: Upstream<typeof SERVICES.order>;

  private constructor(
    readonly system: RunningSystem,
    readonly vhost: TestVhost,
    readonly tap: EventTap,
    /** The development provider's admin, who may act for every user. */
    private readonly adminToken: string,
  ) {
    this.userServices = [system.process(USER)];
    this.users = testClient(system.address(USER), SERVICES.user, adminToken);
    this.orders = testClient(system.address(ORDER), SERVICES.order, adminToken);
  }

  /**
   * `pollIntervalMs`: the relays' polling (OUTBOX_POLL_INTERVAL_MS). Set it
   * longer than the suite, and every publication must have been started by
   * the commit that wrote it (the outbox trigger's notification).
   */
  static async start(options: { userServiceEnv?: Record<string, string>; pollIntervalMs?: number } = {}): Promise<EventsSystem> {
    const vhost = await createTestVhost('e2e_events');
    const tap = await EventTap.open(vhost.url, { exchange: EXCHANGE, routingKeys: ['#'] });
    try {
      const system = await launchSystem({
        apps: [USER, ORDER],
        databases: freshTestDatabases('e2e_events'),
        brokerUrl: vhost.url,
        proxies: { broker: true },
        env: {
          LOG_LEVEL: 'info',
          AMQP_RECONNECT_MAX_DELAY_MS: '500',
          OUTBOX_POLL_INTERVAL_MS: String(options.pollIntervalMs ?? 200),
        },
        appEnv: { [USER]: options.userServiceEnv ?? {}, [ORDER]: { USER_SERVICE_DEADLINE_MS: '5000' } },
      });
      // Ready is not enough here: its queue must exist and be bound before a test publishes.
      await system.process(ORDER).waitForOutput(`consuming ${ORDER_QUEUE}`, 1, 20_000);
      return new EventsSystem(system, vhost, tap, await system.identity.token('admin'));
    } catch (error) {
      await tap.close();
      await vhost.delete();
      throw error;
    }
  }

  get orderService(): ServiceProcess {
    return this.system.process(ORDER);
  }

  get userDb() {
    return this.system.database(USER);
  }

  get orderDb() {
    return this.system.database(ORDER);
  }

  /** The proxy between the services and the broker. */
  get proxy(): TcpProxy {
    return this.system.brokerProxy;
  }

  /** Starts user-service replica `replica` again on its port, with the launch's environment (no per-test overrides). */
  async restartUserService(replica = 0): Promise<ServiceProcess> {
    const restarted = await this.system.restart(USER, replica, {});
    this.userServices.push(restarted);
    await this.afterUserServiceRestart(replica);
    return restarted;
  }

  /** Starts one more user-service replica on a new port, on the same database. */
  async addUserService(): Promise<ServiceProcess> {
    const added = await this.system.addReplica(USER, {});
    this.userServices.push(added);
    return added;
  }

  /**
   * A replica came back on a port that clients knew. Their channels may sit in
   * reconnect backoff (at most 1 s, see clientChannelOptions) and would fail
   * fast meanwhile: give the test a fresh client, and wait until order-service
   * reaches user-service again (an order for an unknown user is refused with
   * FAILED_PRECONDITION only once user-service answered NOT_FOUND).
   */
  private async afterUserServiceRestart(replica: number): Promise<void> {
    if (replica === 0) {
      this.users.close();
      this.users = testClient(this.system.address(USER), SERVICES.user, this.adminToken);
    }
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

  /** Stops everything; resolves with the exit codes of order-service and of every user-service process that exited by itself or by SIGTERM. */
  async stop(): Promise<number[]> {
    this.users.close();
    this.orders.close();
    await this.system.stop();
    const codes = await Promise.all([this.orderService, ...this.userServices].map((service) => service.exited));
    await this.tap.close();
    await this.vhost.delete();
    return codes.filter((c): c is number => typeof c === 'number');
  }
}

/** Resolves once the process has logged `text` (logs are JSON lines at LOG_LEVEL=info). Rejects if it exits first. */
export function waitForLog(service: ServiceProcess, text: string, timeoutMs = 20_000): Promise<void> {
  return service.waitForOutput(text, 1, timeoutMs);
}
