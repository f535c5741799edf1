import { randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { RunningHttpGateway } from '../src/http/bootstrap-http-gateway';
import { launchSystem, type RunningSystem } from '@acme/testing';
import { startGateway } from './support/gateway';
import { client } from './support/http';

// The abuse limits against real Redis (127.0.0.1:6379, as on every machine
// of ours), the real development identity provider, and gateways in this
// process. No service is needed: the requests are answered at the edge after
// being counted (401 without a token, 400 for a malformed id with one).
let identity: RunningSystem;
beforeAll(async () => {
  identity = await launchSystem({ apps: ['identity-provider'] });
});
afterAll(() => identity?.stop());
const edgeOnly = () => ({ USER_SERVICE_URL: 'dns:///127.0.0.1:9', ORDER_SERVICE_URL: 'dns:///127.0.0.1:9', AUTH_ISSUER: identity.target('identity-provider') });
const REDIS = 'redis://127.0.0.1:6379';
/** Behind one trusted proxy, X-Forwarded-For names the client: a fresh address per run keeps runs sharing Redis apart. */
const someClient = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

describe('rate limit shared by two gateway replicas through Redis', () => {
  const gateways: RunningHttpGateway[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      gateways.push(await startGateway({ ...edgeOnly(), RATE_LIMIT_MAX: '4', RATE_LIMIT_WINDOW_MS: '60000', RATE_LIMIT_REDIS_URL: REDIS, TRUSTED_PROXY_HOPS: '1' }));
    }
  });
  afterAll(() => Promise.all(gateways.map((g) => g.shutdown())));

  it('counts a client on both replicas, answers 429 problem+json past the limit, and leaves other clients and probes alone', async () => {
    const [a, b] = gateways.map((g) => client(g.url)) as [ReturnType<typeof client>, ReturnType<typeof client>];
    const ip = someClient();
    const statuses = [];
    for (const api of [a, b, a, b]) statuses.push((await api.get('/users/not-a-uuid', from(ip))).status);
    expect(statuses).toEqual([401, 401, 401, 401]);

    const refused = await b.get('/users/not-a-uuid', from(ip));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 429, detail: expect.stringMatching(/^rate limit exceeded: at most 4 requests per 60 s from one client; retry in /) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-limit')).toBe('4');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-request-id')).toBeTruthy();

    expect((await a.get('/users/not-a-uuid', from(someClient()))).status).toBe(401);
    expect((await a.get('/healthz', from(ip))).status).toBe(200);
  });
});

/** The statuses of `count` requests from one fresh client to a gateway started with `env` (stopped after). */
async function statusesFromOneClient(env: Record<string, string>, count: number): Promise<number[]> {
  const gateway = await startGateway({ ...edgeOnly(), TRUSTED_PROXY_HOPS: '1', ...env });
  try {
    const api = client(gateway.url);
    const ip = someClient();
    const statuses = [];
    for (let i = 0; i < count; i++) statuses.push((await api.get('/users/not-a-uuid', from(ip))).status);
    return statuses;
  } finally {
    await gateway.shutdown();
  }
}

describe('rate limit without Redis, and with Redis unreachable', () => {
  it('counts per replica when no Redis is configured', async () => {
    expect(await statusesFromOneClient({ RATE_LIMIT_MAX: '2' }, 3)).toEqual([401, 401, 429]);
  });

  it('counts a verified caller by its token subject, whatever address it comes from', async () => {
    const gateway = await startGateway({ ...edgeOnly(), TRUSTED_PROXY_HOPS: '1', RATE_LIMIT_MAX: '2' });
    try {
      const api = client(gateway.url, await identity.identity.token('alice'));
      const addresses = [someClient(), someClient(), someClient()];
      const statuses = [];
      for (const ip of addresses) statuses.push((await api.get('/users/not-a-uuid', from(ip))).status);
      expect(statuses).toEqual([400, 400, 429]);
      // The same address without the token is another client, with a budget of its own.
      expect((await client(gateway.url).get('/users/not-a-uuid', from(addresses[2]!))).status).toBe(401);
    } finally {
      await gateway.shutdown();
    }
  });

  it('lets requests through, unlimited, while the store is unreachable', async () => {
    expect(await statusesFromOneClient({ RATE_LIMIT_MAX: '1', RATE_LIMIT_REDIS_URL: 'redis://127.0.0.1:9' }, 3)).toEqual([401, 401, 401]);
  });
});

describe('load shedding', () => {
  it('answers 503 problem+json with Retry-After once the event loop lags past MAX_EVENT_LOOP_DELAY_MS', async () => {
    const gateway = await startGateway({ ...edgeOnly(), MAX_EVENT_LOOP_DELAY_MS: '50', RATE_LIMIT_MAX: '0' });
    try {
      const api = client(gateway.url);
      expect((await api.get('/users/not-a-uuid')).status).toBe(401);
      // This test shares the gateway's event loop: hold it, as a burst of CPU-bound work would.
      // under-pressure judges the mean delay over its sampling window (1 s), so one stall
      // late in a window is averaged with that window's normal samples and may stay under
      // the limit. Hold it twice: the window closes right after the first stall (its tick
      // fell due during it and runs first once the loop is free), and the second stall is
      // then almost all of the next window.
      const stall = () => {
        const until = Date.now() + 1_500;
        while (Date.now() < until);
      };
      stall();
      await delay(0);
      stall();
      let answer = await api.get('/users/not-a-uuid');
      // under-pressure samples the delay on a timer; poll, bounded, for the sample that saw the stall.
      for (let i = 0; i < 20 && answer.status !== 503; i++) answer = await api.get('/users/not-a-uuid');
      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ status: 503, detail: 'the gateway is overloaded; retry after the Retry-After delay' });
      expect(answer.headers.get('retry-after')).toBe('10');
    } finally {
      await gateway.shutdown();
    }
  });
});
