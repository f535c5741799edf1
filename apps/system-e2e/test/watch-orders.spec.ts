import { connect, type IncomingHttpHeaders } from 'node:http2';
import { create, toBinary } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { orderV1, SERVICES } from '@acme/contracts';
import type { Upstream } from '@acme/grpc-kit';
import { freePort, freshTestDatabases, grpcFrame, launchSystem, type RunningSystem, testClient } from '@acme/testing';
import { OrderWatcher } from './support/order-watcher';

const USER = 'user-service';
const ORDER = 'order-service';
const Kind = orderV1.OrderUpdate_Kind;

// Two order-service replicas on one database; WatchOrders fans changes out
// through order_changes and LISTEN/NOTIFY, so each replica's watchers see
// what the other replica changed.
describe('WatchOrders across replicas (real processes)', () => {
  let system: RunningSystem;
  let users: Upstream<typeof SERVICES.user>;
  const orders: Upstream<typeof SERVICES.order>[] = [];
  const metricsPorts: number[] = [];
  const watchers: OrderWatcher[] = [];
  let adminToken: string;

  const open = (replica: number, request: { userId: string; resumeToken?: string }) => {
    const watcher = OrderWatcher.open(system.address(ORDER, replica), request, { token: adminToken });
    watchers.push(watcher);
    return watcher;
  };
  const newUser = async (name: string) => (await users.createUser({ email: `${name}@example.com`, name, idempotencyKey: '' })).id;
  const order = (replica: number, userId: string, key: string) =>
    orders[replica]!.createOrder({ userId, idempotencyKey: key, items: [{ sku: 'W', quantity: 1, unitPriceCents: 100n }] });
  /** order_watch.subscriptions as replica `replica` reports it. */
  const subscriptions = async (replica: number): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPorts[replica]}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('order_watch_subscriptions'));
    if (!line) throw new Error(`no order_watch_subscriptions in replica ${replica}'s metrics`);
    return Number(line.split(' ').at(-1));
  };

  /** Polls (bounded) until replica `replica`'s live subscriptions reach `expected` (ended streams are let go asynchronously). */
  const subscriptionsReach = async (expected: number, what: string, replica = 0) => {
    for (let attempt = 0; (await subscriptions(replica)) !== expected; attempt++) {
      if (attempt > 2_000) throw new Error(`${what}: replica ${replica}'s order_watch.subscriptions stayed at ${await subscriptions(replica)}, expected ${expected}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  /** rpc.server.duration's count of WatchOrders calls on replica `replica` that ended with `code`. */
  const watchCalls = async (replica: number, code: status): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPorts[replica]}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('rpc_server_duration_count{') && l.includes('rpc_method="WatchOrders"') && l.includes(`rpc_grpc_status_code="${code}"`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  beforeAll(async () => {
    metricsPorts.push(await freePort(), await freePort());
    system = await launchSystem({
      apps: [USER, ORDER],
      databases: freshTestDatabases('watch'),
      // The replicas reach their database (pool and LISTEN connection) through a proxy the NOTIFY test cuts.
      proxies: { databasesOf: [ORDER] },
      env: { LOG_LEVEL: 'warn' },
      appEnv: { [ORDER]: { METRICS_PORT: String(metricsPorts[0]), METRICS_HOST: '127.0.0.1', SHUTDOWN_DRAIN_DELAY_MS: '100' } },
    });
    await system.addReplica(ORDER, { METRICS_PORT: String(metricsPorts[1]) });
    adminToken = await system.identity.token('admin');
    users = testClient(system.address(USER), SERVICES.user, adminToken);
    for (let replica = 0; replica < 2; replica++) orders.push(testClient(system.address(ORDER, replica), SERVICES.order, adminToken));
  });
  afterEach(() => {
    for (const watcher of watchers.splice(0)) watcher.close();
  });
  afterAll(async () => {
    users?.close();
    for (const client of orders) client.close();
    await system?.stop();
  });

  it('starts with a snapshot of open orders, then streams the changes made on the other replica', async () => {
    const userId = await newUser('snap');
    const open1 = await order(0, userId, 'open-1');
    const cancelled = await order(0, userId, 'cancelled');
    await orders[0]!.cancelOrder({ id: cancelled.id });

    const onA = open(0, { userId });
    const onB = open(1, { userId });
    for (const watcher of [onA, onB]) await watcher.until((u) => u.some((x) => x.kind === Kind.SNAPSHOT_END), 'the snapshot ended');
    expect(onA.updates.map((u) => [u.kind, u.order?.id])).toEqual([
      [Kind.SNAPSHOT, open1.id],
      [Kind.SNAPSHOT_END, undefined],
    ]);

    const created = await order(1, userId, 'live');
    await orders[0]!.cancelOrder({ id: created.id });
    for (const watcher of [onA, onB]) {
      await watcher.until(() => watcher.changes.length === 2, 'both changes arrived');
      expect(watcher.changes.map((u) => [u.kind, u.order?.id, u.order?.status])).toEqual([
        [Kind.CREATED, created.id, orderV1.OrderStatus.CREATED],
        [Kind.CANCELLED, created.id, orderV1.OrderStatus.CANCELLED],
      ]);
    }
    // Tokens only grow, and both replicas issue the same ones.
    expect(onB.changes.map((u) => u.resumeToken)).toEqual(onA.changes.map((u) => u.resumeToken));
    expect(BigInt(onA.changes[1]!.resumeToken)).toBeGreaterThan(BigInt(onA.changes[0]!.resumeToken));
  });

  it('serves a watcher on a replica that had none while the changes were made (its feed read nothing meanwhile) every change once', async () => {
    const userId = await newUser('idle-replica');
    const first = open(0, { userId });
    await first.until((u) => u.some((x) => x.kind === Kind.SNAPSHOT_END), 'the snapshot ended');
    const token = first.updates.find((u) => u.kind === Kind.SNAPSHOT_END)!.resumeToken;
    first.close();
    for (const replica of [0, 1]) await subscriptionsReach(0, 'no watcher left', replica);

    const made = [];
    for (const key of ['idle-1', 'idle-2', 'idle-3']) made.push(await order(0, userId, key));
    const resumed = open(1, { userId, resumeToken: token });
    await resumed.until(() => resumed.changes.length === 3, 'the changes made meanwhile arrived');
    made.push(await order(0, userId, 'idle-4'));
    await resumed.until(() => resumed.changes.length === 4, 'the live change arrived');
    expect(resumed.changes.map((u) => [u.kind, u.order?.id])).toEqual(made.map((o) => [Kind.CREATED, o.id]));
  });

  it('answers bad requests with the statuses ListOrders uses, and a foreign token INVALID_ARGUMENT', async () => {
    const bad = open(0, { userId: 'not-a-uuid' });
    expect(await bad.finished).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^user_id: /) });
    const foreign = open(0, { userId: '01890a5d-ac96-774b-bcce-b302099a8058', resumeToken: 'abc' });
    expect(await foreign.finished).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^resume_token: was not issued/) });
    // An unknown user has no orders, as in ListOrders: an empty snapshot.
    const unknown = open(0, { userId: '01890a5d-ac96-774b-bcce-b302099a8058' });
    await unknown.until((u) => u.length === 1, 'the snapshot ended');
    expect(unknown.updates[0]?.kind).toBe(Kind.SNAPSHOT_END);
  });

  it("counts stream calls in the kit's RPC metrics with the status each ended with", async () => {
    const before = await watchCalls(0, status.INVALID_ARGUMENT);
    const bad = open(0, { userId: 'not-a-uuid' });
    await bad.finished;
    const foreign = open(0, { userId: '01890a5d-ac96-774b-bcce-b302099a8058', resumeToken: 'abc' });
    await foreign.finished;
    // One refused before the handler (the rules), one by the handler's own check while streaming.
    expect(await watchCalls(0, status.INVALID_ARGUMENT)).toBe(before + 2);
  });

  it('ends a client that stops reading with RESOURCE_EXHAUSTED once it falls too far behind, and frees what it held', async () => {
    const userId = await newUser('slow');
    const before = await subscriptions(0);
    // A raw HTTP/2 client that grants no flow-control window: nothing the
    // server writes can leave, so every change waits in its per-stream buffer.
    const session = connect(`http://${system.address(ORDER, 0)}`, { settings: { initialWindowSize: 0 } });
    session.on('error', () => undefined);
    try {
      const stream = session.request({
        ':method': 'POST',
        ':path': '/acme.order.v1.OrderService/WatchOrders',
        'content-type': 'application/grpc',
        te: 'trailers',
        authorization: `Bearer ${adminToken}`,
      });
      const trailers = new Promise<IncomingHttpHeaders>((resolve) => stream.on('trailers', resolve));
      stream.on('data', () => undefined);
      stream.end(grpcFrame(toBinary(orderV1.WatchOrdersRequestSchema, create(orderV1.WatchOrdersRequestSchema, { userId }))));
      await subscriptionsReach(before + 1, 'the watch started');
      // More changes than WATCH_MAX_PENDING_UPDATES (1000 by default), in one statement.
      await system
        .database(ORDER)
        .query(
          `INSERT INTO orders (id, user_id, idempotency_key, request_hash, status, total_cents)
           SELECT gen_random_uuid(), $1, 'slow-' || n, 'h', 'CREATED', 100 FROM generate_series(1, 1100) n`,
          [userId],
        );
      // The server gives up on the stream while the client still reads nothing, and holds nothing for it any more...
      await subscriptionsReach(before, 'the slow stream ended');
      // ...and, once the client lets bytes through, it learns why.
      session.settings({ initialWindowSize: 65_535 });
      const ended = await trailers;
      expect(ended['grpc-status']).toBe(String(status.RESOURCE_EXHAUSTED));
      expect(decodeURIComponent(String(ended['grpc-message']))).toBe(
        'this stream fell 1000 updates behind (the client reads too slowly): resubscribe with the last resume_token',
      );
    } finally {
      session.destroy();
    }
  });

  it('frees the subscription when the client cancels', async () => {
    const userId = await newUser('cancel');
    const before = await subscriptions(0);
    const watcher = open(0, { userId });
    await watcher.until((u) => u.length === 1, 'the snapshot ended');
    expect(await subscriptions(0)).toBe(before + 1);
    watcher.cancel();
    expect(await watcher.finished).toMatchObject({ code: status.CANCELLED });
    // The server learns of the cancellation asynchronously: wait for its count to come back.
    await subscriptionsReach(before, 'the cancelled stream was let go');
  });

  it('loses no change made while the LISTEN connection was cut', async () => {
    const userId = await newUser('notify');
    const watcher = open(0, { userId });
    await watcher.until((u) => u.length === 1, 'the snapshot ended');
    // One change first: once it arrived, the stream's own reads are done and it waits on the feed alone.
    const first = await order(1, userId, 'before-cut');
    await watcher.until(() => watcher.changes.length === 1, 'the first change arrived');
    await system.databaseProxy(ORDER).cut();
    // Written past the replicas (straight into the database) while none of them can hear a NOTIFY.
    const written = await system
      .database(ORDER)
      .query<{ id: string }>(
        `INSERT INTO orders (id, user_id, idempotency_key, request_hash, status, total_cents)
         SELECT gen_random_uuid(), $1, 'cut-' || n, 'h', 'CREATED', 100 FROM generate_series(1, 5) n RETURNING id`,
        [userId],
      );
    await system.databaseProxy(ORDER).restore();
    // The listener reconnects and reads everything after its cursor from order_changes.
    await watcher.until(() => watcher.changes.length === 1 + written.length, 'the changes made during the cut arrived');
    expect(watcher.changes.map((u) => u.order?.id).sort()).toEqual([first.id, ...written.map((r) => r.id)].sort());
  });

  it('a watcher whose replica is SIGTERMed resumes on the other with every change exactly once, in order', async () => {
    const userId = await newUser('failover');
    let watcher = open(1, { userId });
    await watcher.until((u) => u.some((x) => x.kind === Kind.SNAPSHOT_END), 'the snapshot ended');
    const received: orderV1.OrderUpdate[] = [];

    let running = true;
    const made: string[] = [];
    const writer = (async () => {
      for (let i = 0; running; i++) made.push((await order(0, userId, `f-${i}`)).id);
    })();
    await watcher.until(() => watcher.changes.length >= 20, 'changes flowed');

    const stopped = system.process(ORDER, 1).stop('SIGTERM');
    const ended = await watcher.finished;
    expect(ended).toMatchObject({ code: status.UNAVAILABLE, details: expect.stringMatching(/reconnect/) });
    expect(await stopped).toBe(0);
    received.push(...watcher.changes);

    watcher = open(0, { userId, resumeToken: watcher.lastToken });
    await watcher.until(() => watcher.changes.length >= 20, 'changes flowed after the resume');
    running = false;
    await writer;
    await watcher.until(() => received.length + watcher.changes.length >= made.length, 'every change arrived');
    received.push(...watcher.changes);

    const ids = received.map((u) => u.order!.id);
    const duplicates = ids.length - new Set(ids).size;
    const missed = made.filter((id) => !ids.includes(id)).length;
    console.log(`failover: made ${made.length}, received ${received.length}, duplicates ${duplicates}, missed ${missed}`);
    expect(ids).toEqual(made);
    expect(received.every((u) => u.kind === Kind.CREATED)).toBe(true);
    const tokens = received.map((u) => BigInt(u.resumeToken));
    expect(tokens.every((token, i) => i === 0 || token > tokens[i - 1]!)).toBe(true);
  });
});
