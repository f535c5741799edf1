import { SERVICES } from '@acme/contracts';
import type { Upstream } from '@acme/grpc-kit';
import { freePort, freshTestDatabases, launchSystem, type RunningSystem, testClient } from '@acme/testing';
import { SseClient } from './support/sse-client';

const USER = 'user-service';
const ORDER = 'order-service';
const GATEWAY = 'api-gateway';

/** Streams order-service lets one connection carry at once (its HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS). */
const PER_CONNECTION = 4;
/** Watchers one gateway holds: more than one connection allows, over ceil(10 / 4) = 3 stream channels. */
const MAX_WATCHERS = 10;

// Many watchers through one gateway: the server's per-connection stream
// limit is small here, so watchers on the unary channel would queue behind
// each other (and hold the unary calls back). Real processes.
describe('SSE watchers past one connection’s stream limit (real processes)', () => {
  let system: RunningSystem;
  let gateway: string;
  let token: string;
  let users: Upstream<typeof SERVICES.user>;
  let metricsPort: number;
  const clients: SseClient[] = [];

  const subscriptions = async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return Number(text.split('\n').find((l) => l.startsWith('order_watch_subscriptions'))?.split(' ').at(-1));
  };
  const watch = async (userId: string) => {
    const client = await SseClient.open(`${gateway}/users/${userId}/orders:watch`, { authorization: `Bearer ${token}` });
    clients.push(client);
    return client;
  };
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${gateway}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });

  beforeAll(async () => {
    metricsPort = await freePort();
    system = await launchSystem({
      apps: [USER, ORDER, GATEWAY],
      databases: freshTestDatabases('sizing'),
      env: { LOG_LEVEL: 'warn' },
      appEnv: {
        [ORDER]: { GRPC_MAX_CONCURRENT_STREAMS: String(PER_CONNECTION), METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1' },
        [GATEWAY]: { RATE_LIMIT_MAX: '0', UPSTREAM_STREAMS_PER_CONNECTION: String(PER_CONNECTION), ORDER_SERVICE_MAX_STREAMS: String(MAX_WATCHERS) },
      },
    });
    gateway = `http://${system.address(GATEWAY)}`;
    token = await system.identity.token('admin');
    users = testClient(system.address(USER), SERVICES.user, token);
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) client.close();
    users?.close();
    await system?.stop();
  });

  it('holds more watchers than one connection carries, answers unary calls meanwhile, and 503 past its own limit', async () => {
    const { id: userId } = await users.createUser({ email: 'many@example.com', name: 'Many Watchers', idempotencyKey: '' });
    const before = await subscriptions();
    const watchers = await Promise.all(Array.from({ length: MAX_WATCHERS }, () => watch(userId)));
    for (const watcher of watchers) {
      expect(watcher.status).toBe(200);
      await watcher.until((events) => events.some((e) => e.data.includes('SNAPSHOT_END')), 'the snapshot ended');
    }
    // All ten live at order-service at once, where one connection carries four: the gateway spread them over channels.
    expect((await subscriptions()) - before).toBe(MAX_WATCHERS);

    // Unary calls are on a channel of their own, not queued behind the watchers.
    const listed = await api(`/users/${userId}/orders`);
    expect(listed.status).toBe(200);
    const created = await api('/orders', { method: 'POST', body: JSON.stringify({ userId, items: [{ sku: 'S', quantity: 1, unitPriceCents: '100' }] }) });
    expect(created.status).toBe(201);
    const { id: orderId } = (await created.json()) as { id: string };
    for (const watcher of watchers) await watcher.until((events) => events.some((e) => e.data.includes(orderId)), 'every watcher saw the new order');

    // Past the gateway's own limit: 503 problem with Retry-After, before any upstream stream is opened.
    const refused = await watch(userId);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('10');
    expect(JSON.parse(await refused.text())).toMatchObject({ status: 503, detail: `this gateway already holds its ${MAX_WATCHERS} WatchOrders streams; retry after the Retry-After delay (or through another replica)` });

    // A watcher that leaves gives its slot back.
    watchers[0]!.close();
    let again = await watch(userId);
    for (let attempt = 0; again.status === 503 && attempt < 200; attempt++) {
      again.close();
      await new Promise((resolve) => setImmediate(resolve));
      again = await watch(userId);
    }
    expect(again.status).toBe(200);
    console.log(`sizing: ${MAX_WATCHERS} watchers open at once with ${PER_CONNECTION} streams per connection (${Math.ceil(MAX_WATCHERS / PER_CONNECTION)} stream channels + the unary channel); unary calls answered; watcher ${MAX_WATCHERS + 1} refused 503`);
  }, 60_000);
});
