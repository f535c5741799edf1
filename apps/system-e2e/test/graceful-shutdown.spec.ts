import { ServiceStack, type TcpProxy } from '@acme/testing';
import { SERVICES } from '@acme/contracts';
import { HealthClient } from '@acme/grpc-kit';
import { expectStatus, status } from './support/expect-status';

// SIGTERM to order-service while a CreateOrder is in flight (waiting on a
// frozen user-service). A proxy in front of user-service tells the test when
// the call has really left order-service.
describe('graceful shutdown on SIGTERM', () => {
  let system: ServiceStack;
  let proxy: TcpProxy;
  let userId: string;

  const start = async (orderEnv: Record<string, string>) => {
    system = await ServiceStack.start({ proxies: { apps: ['user-service'] }, orderEnv: { USER_SERVICE_DEADLINE_MS: '10000', ...orderEnv } });
    proxy = system.system.proxy('user-service');
    userId = (await system.users.createUser({ email: 'sd@example.com', name: 'SD', idempotencyKey: '' })).id;
    // Warm the order-service -> user-service connection, so the next bytes through the proxy are the next call.
    await system.orders.createOrder(request());
  };
  const request = () => ({ userId, idempotencyKey: `k-${Math.random()}`, items: [{ sku: 'A', quantity: 1, unitPriceCents: 1n }] });
  const inFlightWhileUserServiceFrozen = async () => {
    system.userService.child.kill('SIGSTOP');
    const sent = proxy.waitForTraffic();
    const call = system.orders.createOrder(request());
    await sent;
    return { call }; // wrapped: returning the promise itself would make the caller await the order
  };

  afterEach(async () => {
    if (system?.userService.running) system.userService.child.kill('SIGCONT');
    await system?.stop();
  });

  it('reports NOT_SERVING, lets the in-flight call finish, then exits 0', async () => {
    await start({ SHUTDOWN_DRAIN_DELAY_MS: '300', SHUTDOWN_GRACE_MS: '10000' });
    const before = await system.orderRowCount();
    const { call: inFlight } = await inFlightWhileUserServiceFrozen();

    const exited = system.orderService.stop('SIGTERM');
    const health = new HealthClient(`127.0.0.1:${system.orderPort}`);
    try {
      await health.waitFor('NOT_SERVING', SERVICES.order.typeName, 5_000);
    } finally {
      health.close();
    }
    system.userService.child.kill('SIGCONT'); // user-service answers; the drained call completes
    const order = await inFlight;
    expect(order.userId).toBe(userId);
    expect(await exited).toBe(0);
    expect(await system.orderRowCount()).toBe(before + 1);
  });

  it('cuts calls still running after SHUTDOWN_GRACE_MS, writes nothing for them, and still exits 0', async () => {
    await start({ SHUTDOWN_DRAIN_DELAY_MS: '0', SHUTDOWN_GRACE_MS: '300' });
    const before = await system.orderRowCount();
    const { call: inFlight } = await inFlightWhileUserServiceFrozen();

    expect(await system.orderService.stop('SIGTERM')).toBe(0);
    await expectStatus(inFlight, status.CANCELLED);
    expect(await system.orderRowCount()).toBe(before);
    expect(system.orderService.logs).toContain('in-flight calls still running after 300 ms: cancelling them');
  });
});
