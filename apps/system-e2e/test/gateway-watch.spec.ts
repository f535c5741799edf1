import { SERVICES } from '@acme/contracts';
import type { Upstream } from '@acme/grpc-kit';
import { freePort, freshTestDatabases, launchSystem, type RunningSystem, testClient } from '@acme/testing';
import { SseClient } from './support/sse-client';

const USER = 'user-service';
const ORDER = 'order-service';
const GATEWAY = 'api-gateway';

interface EdgeUpdate {
  kind: string;
  order?: { id: string; status: string };
  resumeToken?: string;
}

/** order_watch.subscriptions as a replica's metrics endpoint reports it. */
async function subscriptionsAt(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('order_watch_subscriptions'));
  if (!line) throw new Error(`no order_watch_subscriptions at :${metricsPort}`);
  return Number(line.split(' ').at(-1));
}

/** Polls `read` (each turn of the event loop, at most `attempts` times) until `done` holds of its value. */
async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, attempts = 5_000): Promise<T> {
  let value = await read();
  for (let i = 0; !done(value); i++) {
    if (i > attempts) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setImmediate(resolve));
    value = await read();
  }
  return value;
}

// WatchOrders through the REST edge, as Server-Sent Events, against real
// processes: two order-service replicas behind the gateway's round_robin
// channel, each with a metrics port for its live-subscription gauge.
describe('GET /users/{user_id}/orders:watch (SSE through the gateway, real processes)', () => {
  let system: RunningSystem;
  let gateway: string;
  let token: string;
  let users: Upstream<typeof SERVICES.user>;
  const orders: Upstream<typeof SERVICES.order>[] = [];
  const metricsPorts: number[] = [];
  const clients: SseClient[] = [];
  let replicaEnv: (port: number) => Record<string, string>;

  const watch = async (userId: string, headers: Record<string, string> = {}, query = '') => {
    const client = await SseClient.open(`${gateway}/users/${userId}/orders:watch${query}`, { authorization: `Bearer ${token}`, ...headers });
    clients.push(client);
    return client;
  };
  const newUser = async (name: string) => (await users.createUser({ email: `${name}@example.com`, name, idempotencyKey: '' })).id;
  const order = (replica: number, userId: string, key: string) =>
    orders[replica]!.createOrder({ userId, idempotencyKey: key, items: [{ sku: 'W', quantity: 1, unitPriceCents: 100n }] });
  const subscriptions = async () => (await Promise.all(metricsPorts.map(subscriptionsAt))).reduce((a, b) => a + b, 0);
  const changesOf = (client: SseClient) => client.messages<EdgeUpdate>().filter((u) => u.kind === 'CREATED' || u.kind === 'CANCELLED');

  beforeAll(async () => {
    metricsPorts.push(await freePort(), await freePort());
    replicaEnv = (port: number) => ({
      METRICS_PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      SHUTDOWN_DRAIN_DELAY_MS: '100',
      LOG_LEVEL: 'warn',
      // Connections live 2 s (then GOAWAY, and after 0.5 s more they are closed): every watch outlives several.
      GRPC_MAX_CONNECTION_AGE_MS: '2000',
      GRPC_MAX_CONNECTION_AGE_GRACE_MS: '500',
    });
    system = await launchSystem({
      apps: [USER, ORDER, GATEWAY],
      databases: freshTestDatabases('sse'),
      env: { LOG_LEVEL: 'warn' },
      appEnv: { [ORDER]: replicaEnv(metricsPorts[0]!), [GATEWAY]: { RATE_LIMIT_MAX: '0', SSE_HEARTBEAT_MS: '200', LOG_LEVEL: 'debug', SHUTDOWN_DRAIN_DELAY_MS: '100' } },
    });
    // The second replica, then the gateway again so that its channels know both (ipv4:a,b, round_robin).
    await system.addReplica(ORDER, replicaEnv(metricsPorts[1]!));
    await system.restart(GATEWAY);
    gateway = `http://${system.address(GATEWAY)}`;
    token = await system.identity.token('admin');
    users = testClient(system.address(USER), SERVICES.user, token);
    for (let replica = 0; replica < 2; replica++) orders.push(testClient(system.address(ORDER, replica), SERVICES.order, token));
  }, 60_000);
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    users?.close();
    for (const client of orders) client.close();
    await system?.stop();
  });

  it('streams the snapshot, then each change as an event whose id is its resume token, with heartbeats in between', async () => {
    const userId = await newUser('sse-live');
    const open = await order(0, userId, 'open-1');
    const client = await watch(userId);
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['cache-control']).toBe('no-cache');
    expect(client.headers['x-request-id']).toEqual(expect.any(String));
    await client.until((events) => events.some((e) => e.data.includes('SNAPSHOT_END')), 'the snapshot ended');
    const created = await order(1, userId, 'live-1');
    await orders[0]!.cancelOrder({ id: created.id });
    await client.until(() => changesOf(client).length === 2, 'both changes arrived');
    expect(client.messages<EdgeUpdate>().map((u) => [u.kind, u.order?.id, u.order?.status])).toEqual([
      ['SNAPSHOT', open.id, 'CREATED'],
      ['SNAPSHOT_END', undefined, undefined],
      ['CREATED', created.id, 'CREATED'],
      ['CANCELLED', created.id, 'CANCELLED'],
    ]);
    // The event id is the update's resume token (absent on snapshot items, which have none).
    expect(client.events.map((e) => e.id)).toEqual([undefined, ...client.messages<EdgeUpdate>().slice(1).map((u) => u.resumeToken)]);
    // Heartbeats: comment lines (the first one opens the stream), so a quiet stream is not taken for a dead one.
    const before = client.comments;
    await client.until(() => client.comments > before, 'a heartbeat came');
  });

  it('resumes after Last-Event-ID with only what came after it, exactly once, and no snapshot; the query parameter does the same', async () => {
    const userId = await newUser('sse-resume');
    const first = await watch(userId);
    await first.until((events) => events.some((e) => e.data.includes('SNAPSHOT_END')), 'the snapshot ended');
    const before = await order(0, userId, 'before');
    await first.until(() => changesOf(first).length === 1, 'the first change arrived');
    const lastEventId = first.lastEventId;
    first.close();
    // Made while no one watches.
    const missed = [await order(1, userId, 'missed-1'), await order(0, userId, 'missed-2')];
    const resumed = await watch(userId, { 'last-event-id': lastEventId });
    await resumed.until(() => changesOf(resumed).length === 2, 'the missed changes arrived');
    expect(resumed.messages<EdgeUpdate>().map((u) => [u.kind, u.order?.id])).toEqual(missed.map((o) => ['CREATED', o.id]));
    expect(resumed.messages<EdgeUpdate>().map((u) => u.order?.id)).not.toContain(before.id);
    // An EventSource keeps its URL: Last-Event-ID (newer) wins over ?resume_token (older).
    const byQuery = await watch(userId, {}, `?resume_token=${lastEventId}`);
    await byQuery.until(() => changesOf(byQuery).length === 2, 'the query resume replayed');
    const both = await watch(userId, { 'last-event-id': resumed.lastEventId }, `?resume_token=${lastEventId}`);
    const next = await order(1, userId, 'after-both');
    await both.until(() => changesOf(both).length === 1, 'only the change after Last-Event-ID arrived');
    expect(changesOf(both).map((u) => u.order?.id)).toEqual([next.id]);
  });

  it('answers a refused watch with a problem document and the status of the gRPC->HTTP table, before any event', async () => {
    const userId = await newUser('sse-refused');
    const bad = await watch('not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(await bad.text())).toMatchObject({ status: 400, detail: expect.stringMatching(/^user_id: /) });

    const foreign = await watch(userId, { 'last-event-id': 'abc' });
    expect(foreign.status).toBe(400);
    expect(JSON.parse(await foreign.text())).toMatchObject({ status: 400, detail: expect.stringMatching(/^resume_token: was not issued by this service/) });

    // A token older than what is kept for replay: OUT_OF_RANGE, 400 in the table, saying to resubscribe.
    const old = await order(0, userId, 'to-be-pruned');
    const [{ seq }] = (await system.database(ORDER).query<{ seq: string }>('SELECT max(seq)::text AS seq FROM order_changes')) as [{ seq: string }];
    await system.database(ORDER).query('UPDATE order_changes_horizon SET pruned_through = $1', [seq]);
    const stale = await watch(userId, { 'last-event-id': String(BigInt(seq) - 1n) });
    expect(stale.status).toBe(400);
    expect(JSON.parse(await stale.text())).toMatchObject({
      status: 400,
      detail: expect.stringMatching(/^resume_token: changes older than .* resubscribe without a resume_token \(from a snapshot\)$/),
    });
    expect(old.id).toEqual(expect.any(String));

    // No token: 401 from the edge, before any upstream call.
    const anonymous = await SseClient.open(`${gateway}/users/${userId}/orders:watch`);
    clients.push(anonymous);
    expect(anonymous.status).toBe(401);
  });

  it('cancels the upstream call when the client goes away: the live-subscription gauges return to their count', async () => {
    const userId = await newUser('sse-cancel');
    const before = await subscriptions();
    const watchers = await Promise.all([watch(userId), watch(userId), watch(userId)]);
    for (const client of watchers) await client.until((events) => events.some((e) => e.data.includes('SNAPSHOT_END')), 'the snapshot ended');
    expect(await subscriptions()).toBe(before + 3);
    for (const client of watchers) client.close();
    expect(await pollUntil(subscriptions, (n) => n === before, 'the subscriptions were freed')).toBe(before);
  });

  it('an order-service replica SIGTERMed under a steady stream of changes: the SSE client gets every change exactly once, in order', async () => {
    const userId = await newUser('sse-failover');
    const gauges = await Promise.all(metricsPorts.map(subscriptionsAt));
    const client = await watch(userId);
    await client.until((events) => events.some((e) => e.data.includes('SNAPSHOT_END')), 'the snapshot ended');
    // The replica the gateway's stream landed on: the one whose gauge went up.
    const after = await Promise.all(metricsPorts.map(subscriptionsAt));
    const on = after.findIndex((n, i) => n === gauges[i]! + 1);
    expect(on).toBeGreaterThanOrEqual(0);
    const other = 1 - on;

    let running = true;
    const made: string[] = [];
    const writer = (async () => {
      for (let i = 0; running; i++) made.push((await order(other, userId, `f-${i}`)).id);
    })();
    await client.until(() => changesOf(client).length >= 20, 'changes flowed');
    expect(await system.process(ORDER, on).stop('SIGTERM')).toBe(0);
    const atStop = changesOf(client).length;
    await client.until(() => changesOf(client).length >= atStop + 20, 'changes flowed after the replica left');
    running = false;
    await writer;
    await client.until(() => changesOf(client).length >= made.length, 'every change arrived');

    const ids = changesOf(client).map((u) => u.order!.id);
    const duplicates = ids.length - new Set(ids).size;
    const missed = made.filter((id) => !ids.includes(id)).length;
    console.log(`SSE failover: made ${made.length}, received ${ids.length}, duplicates ${duplicates}, missed ${missed}, received before the SIGTERM ${atStop}`);
    expect(ids).toEqual(made);
    // Still the one response: no error event, the stream went on.
    expect(client.events.filter((e) => e.event === 'error')).toEqual([]);
    const tokens = changesOf(client).map((u) => BigInt(u.resumeToken!));
    expect(tokens.every((t, i) => i === 0 || t > tokens[i - 1]!)).toBe(true);
    // The replica comes back for the tests after this one.
    await system.restart(ORDER, on, replicaEnv(metricsPorts[on]!));
  }, 60_000);

  it('a watch outlives the connections under it (max connection age, GOAWAY): each change still arrives once', async () => {
    const userId = await newUser('sse-age');
    const client = await watch(userId);
    await client.until((events) => events.some((e) => e.data.includes('SNAPSHOT_END')), 'the snapshot ended');
    const made: string[] = [];
    // Until the gateway has reopened its upstream stream twice (each time a connection under it reached its age).
    const reopened = () => system.process(GATEWAY).count('stream ended UNAVAILABLE; reopening it from');
    const before = reopened();
    for (let i = 0; reopened() < before + 2 || made.length < 5; i++) {
      if (i > 5_000) throw new Error('the gateway never reopened a watch stream');
      // Through the gateway (its channel spreads the writes over both replicas, and retries while one restarts).
      const created = await fetch(`${gateway}/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `age-${i}` },
        body: JSON.stringify({ userId, items: [{ sku: 'W', quantity: 1, unitPriceCents: '100' }] }),
      });
      expect(created.status).toBe(201);
      made.push(((await created.json()) as { id: string }).id);
      await client.until(() => changesOf(client).length === made.length, `change ${i} arrived`);
    }
    expect(changesOf(client).map((u) => u.order?.id)).toEqual(made);
    expect(client.events.filter((e) => e.event === 'error')).toEqual([]);
    console.log(`SSE over aging connections: ${made.length} changes made and received once each, across ${reopened() - before} upstream reopenings`);
  }, 60_000);

  it('with order-service wholly down, ends the stream with an error event carrying a 503 problem, and the resume works once it is back', async () => {
    const userId = await newUser('sse-down');
    const client = await watch(userId);
    await client.until((events) => events.some((e) => e.data.includes('SNAPSHOT_END')), 'the snapshot ended');
    const lastEventId = client.lastEventId;
    await Promise.all([0, 1].map((i) => system.process(ORDER, i).stop('SIGTERM')));
    await client.ended;
    const [error] = client.events.filter((e) => e.event === 'error');
    expect(JSON.parse(error!.data)).toMatchObject({ status: 503, detail: 'order-service (or a service it depends on) is unavailable; retry later', requestId: client.headers['x-request-id'] });
    for (const i of [0, 1]) await system.restart(ORDER, i, replicaEnv(metricsPorts[i]!));
    // What the EventSource does next: reconnect with the last id (bounded retries, as it would).
    const made = await order(0, userId, 'after-outage');
    const again = await pollUntil(
      async () => {
        const attempt = await watch(userId, { 'last-event-id': lastEventId });
        return attempt.status === 200 ? attempt : (attempt.close(), undefined);
      },
      (attempt) => attempt !== undefined,
      'the gateway reaches order-service again',
      200,
    );
    await again!.until(() => changesOf(again!).length === 1, 'the change made after the outage arrived');
    expect(changesOf(again!)[0]?.order?.id).toBe(made.id);
  }, 60_000);

  // Last: it stops the gateway.
  it('a gateway shutdown ends its event streams cleanly, so their clients reconnect elsewhere, and exits without waiting out its grace', async () => {
    const userId = await newUser('sse-shutdown');
    const client = await watch(userId);
    await client.until((events) => events.some((e) => e.data.includes('SNAPSHOT_END')), 'the snapshot ended');
    const exited = system.process(GATEWAY).stop('SIGTERM');
    await client.ended;
    // A clean end (what an EventSource reconnects after, with Last-Event-ID), not an error.
    expect(client.events.filter((e) => e.event === 'error')).toEqual([]);
    expect(await exited).toBe(0);
    expect(system.process(GATEWAY).logs).toMatch(/ending 1 event streams/);
    expect(system.process(GATEWAY).logs).not.toMatch(/still running after/);
  });
});
