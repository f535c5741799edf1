import { grpcStatusOf, statusName } from '@acme/grpc-kit';
import { ServiceStack } from '@acme/testing';

const GET_USER_OK = /"method":"\/acme\.user\.v1\.UserService\/GetUser","code":"OK"/;

// Two user-service replicas behind order-service's round_robin client, under a
// steady CreateOrder load; one replica is shut down (SIGTERM) mid-load.
describe('load balancing across user-service replicas', () => {
  let system: ServiceStack;

  beforeAll(async () => {
    system = await ServiceStack.start({
      userReplicaHosts: ['127.0.0.1', '127.0.0.2'],
      // debug: one access-log line per call, which tells which replica served what
      userEnv: { LOG_LEVEL: 'debug', SHUTDOWN_DRAIN_DELAY_MS: '200' },
    });
  });
  afterAll(() => system?.stop());

  it('spreads calls over both replicas and loses no request when one leaves', async () => {
    const [leaving, staying] = system.userServices as [typeof system.userService, typeof system.userService];
    const userId = (await system.users.createUser({ email: 'lb@example.com', name: 'LB', idempotencyKey: '' })).id;

    let running = true;
    const failures: string[] = [];
    let succeeded = 0;
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        try {
          await system.orders.createOrder({
            userId,
            idempotencyKey: `w${w}-${i}`,
            items: [{ sku: 'LB', quantity: 1, unitPriceCents: 100n }],
          });
          succeeded++;
        } catch (error) {
          const code = grpcStatusOf(error);
          failures.push(`${code === undefined ? 'non-gRPC' : statusName(code)}: ${String((error as Error).message)}`);
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));

    // Both replicas take part before anything happens.
    await Promise.all([leaving.waitForOutput(GET_USER_OK, 25), staying.waitForOutput(GET_USER_OK, 25)]);

    expect(await leaving.stop('SIGTERM')).toBe(0);
    // The survivor carries the load on its own for a while.
    await staying.waitForOutput(GET_USER_OK, staying.count(GET_USER_OK) + 200);
    running = false;
    await Promise.all(workers);

    expect(failures).toEqual([]);
    expect(succeeded).toBeGreaterThan(250);
    expect(await system.orderRowCount()).toBe(succeeded);
  });
});
