import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { grpcServiceDefinition, orderV1, SERVICES, type ResponseInitOf } from '@acme/contracts';
import { runLoad } from '../src/load/grpc-load-worker';
import { COUNTER_WIDTH, createOrderTemplates } from '../src/load/grpc-messages';

// The CreateOrder generator against a real gRPC server on loopback: every
// request must carry its own idempotency key (or the benchmark would measure
// replays instead of writes), and failed calls must be counted, not timed.

const GOOD_USER = '0190a000-0000-7000-8000-000000000001';
const MISSING_USER = '0190a000-0000-7000-8000-000000000002';

describe('grpc-load-worker', () => {
  const keys: string[] = [];
  const users: string[] = [];
  let server: Server;
  let port: number;

  beforeAll(async () => {
    type OrderInit = ResponseInitOf<typeof SERVICES.order, 'createOrder'>;
    server = new Server();
    server.addService(grpcServiceDefinition(SERVICES.order), {
      CreateOrder: (call: ServerUnaryCall<orderV1.CreateOrderRequest, OrderInit>, callback: sendUnaryData<OrderInit>) => {
        keys.push(call.request.idempotencyKey);
        users.push(call.request.userId);
        if (call.request.userId === MISSING_USER) return callback({ code: status.FAILED_PRECONDITION, details: 'user does not exist' });
        callback(null, { id: 'o', userId: call.request.userId, items: call.request.items, totalCents: 1n, status: orderV1.OrderStatus.CREATED });
      },
    });
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
  });

  afterAll(() => server.forceShutdown());

  it('sends a distinct idempotency key with every call, rotates users, and counts failures apart from timed calls', async () => {
    const { templates, counterOffset } = createOrderTemplates([GOOD_USER, MISSING_USER], 'test-run');
    const result = await runLoad({
      origin: `http://127.0.0.1:${port}`,
      path: '/acme.order.v1.OrderService/CreateOrder',
      templates: templates.map((t) => t.toString('base64')),
      counterOffset,
      counterWidth: COUNTER_WIDTH,
      connections: 2,
      concurrency: 4,
      durationMs: 300,
      timeout: '5S',
    });

    expect(keys.length).toBeGreaterThan(10);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((key) => /^test-run-\d{12}$/.test(key))).toBe(true);
    // Users alternate, so half the calls fail with FAILED_PRECONDITION.
    const failures = users.filter((u) => u === MISSING_USER).length;
    expect(result.failed).toBe(failures);
    expect(result.completed).toBe(keys.length - failures);
    expect(result.latenciesUs).toHaveLength(result.completed);
    expect(result.errorSample).toMatch(/grpc-status 9 user does not exist/);
  });

  it('stops after `requests` calls when given a count instead of a duration', async () => {
    keys.length = 0;
    const { templates, counterOffset } = createOrderTemplates([GOOD_USER], 'counted');
    const result = await runLoad({
      origin: `http://127.0.0.1:${port}`,
      path: '/acme.order.v1.OrderService/CreateOrder',
      templates: templates.map((t) => t.toString('base64')),
      counterOffset,
      counterWidth: COUNTER_WIDTH,
      connections: 2,
      concurrency: 4,
      durationMs: 60_000,
      timeout: '5S',
      requests: 25,
    });
    expect(result.completed).toBe(25);
    expect(new Set(keys)).toEqual(new Set(Array.from({ length: 25 }, (_, i) => `counted-${String(i).padStart(COUNTER_WIDTH, '0')}`)));
  });
});
