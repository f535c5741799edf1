import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { appScript, ServiceProcess } from '@acme/testing';
import { client } from './support/http';
import { jsonLines, waitForLogLine } from './support/logs';
import type { ServiceStack } from '@acme/testing';
import { startDebugServices } from './support/stack';

const GATEWAY = appScript('api-gateway', 'serve');

// The built gateway as production runs it: `node apps/api-gateway/dist/main.js`.
describe('api-gateway as a process (dist/main.js)', () => {
  let services: ServiceStack;
  let gateway: ServiceProcess;
  let url: string;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    if (!existsSync(GATEWAY)) throw new Error(`${GATEWAY} is missing: build first (npx nx run api-gateway:build)`);
    services = await startDebugServices('gw_process');
    gateway = await ServiceProcess.start({
      name: 'api-gateway',
      script: GATEWAY,
      // Port 0: the gateway picks a free port and prints its URL, which is what we read.
      env: { ...services.gatewayEnv, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', LOG_LEVEL: 'debug', USER_SERVICE_DEADLINE_MS: '20000' },
    });
    const started = await waitForLogLine(gateway, (line) => /listening on http:\/\//.test(String(line['msg'])));
    url = /listening on (http:\/\/\S+)/.exec(String(started['msg']))![1]!;
    api = client(url, await services.identity.token('admin'));
  });
  afterAll(async () => {
    if (services?.userService.running) services.userService.child.kill('SIGCONT');
    await gateway?.stop('SIGKILL');
    await services?.stop('SIGKILL');
  });

  it('prints its URL and serves on it, keeping probes out of the access log', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await client(url).get('/healthz')).status).toBe(200);
    expect((await client(url).get('/readyz')).status).toBe(200);
    // The access line of a later request means earlier lines have arrived (one ordered pipe).
    expect((await client(url).get('/nope')).status).toBe(404);
    await waitForLogLine(gateway, (line) => (line['req'] as { url?: string } | undefined)?.url === '/nope');
    const accessed = jsonLines(gateway.logs).map((line) => (line['req'] as { url?: string } | undefined)?.url);
    expect(accessed.filter((path) => path === '/healthz' || path === '/readyz')).toEqual([]);
  });

  it('carries the request id through both hops and into every log line of the request', async () => {
    const requestId = `trace-${randomUUID()}`;
    const stranger = randomUUID();
    const answer = await api.post('/orders', {
      body: { userId: stranger, items: [{ sku: 'T', quantity: 1, unitPriceCents: '1' }] },
      headers: { 'x-request-id': requestId },
    });
    expect(answer.status).toBe(422);
    expect(answer.headers.get('x-request-id')).toBe(requestId);

    // gateway -> order-service -> user-service: each service logs its failed call with the id it received.
    const orderLine = await waitForLogLine(services.orderService, (line) => line['requestId'] === requestId);
    expect(orderLine).toMatchObject({ service: 'order-service', code: 'FAILED_PRECONDITION' });
    const userLine = await waitForLogLine(services.userService, (line) => line['requestId'] === requestId);
    expect(userLine).toMatchObject({ service: 'user-service', code: 'NOT_FOUND' });

    const access = await waitForLogLine(gateway, (line) => line['requestId'] === requestId && line['res'] !== undefined);
    expect(access).toMatchObject({ service: 'api-gateway', req: { method: 'POST', url: '/orders' }, res: { statusCode: 422 } });
    const lines = jsonLines(gateway.logs).filter((line) => JSON.stringify(line).includes(requestId));
    expect(lines.map((line) => line['msg'])).toEqual(['request received', 'request completed']);
    expect(lines.every((line) => line['requestId'] === requestId)).toBe(true);
  });

  it('on SIGTERM stops accepting, finishes the request in flight, closes its channels and exits 0', async () => {
    const { body: user } = await api.post('/users', { body: { email: 'inflight@example.com', name: 'In Flight' } });
    services.userService.child.kill('SIGSTOP'); // the next GET /users/:id hangs in user-service
    const requestId = `inflight-${randomUUID()}`;
    const inFlight = api.get(`/users/${user.id}`, { headers: { 'x-request-id': requestId } });
    await waitForLogLine(gateway, (line) => line['requestId'] === requestId && line['msg'] === 'request received');

    gateway.child.kill('SIGTERM');
    await waitForLogLine(gateway, (line) => /SIGTERM received/.test(String(line['msg'])));
    // A new request is refused: the listening socket is closed (or a kept-alive connection gets 503).
    const late = await fetch(`${url}/healthz`).then((r) => r.status, (error: Error) => error.name);
    expect([503, 'TypeError']).toContain(late);

    services.userService.child.kill('SIGCONT');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: user.id, name: 'In Flight' });
    expect(await gateway.exited).toBe(0);
    // Both said after the SIGTERM, in whatever order they reach stdout: the logger's buffered writes interleave with
    // the in-flight request's access line differently from run to run under load (seen in CI: swapped, or after it).
    const messages = jsonLines(gateway.logs).map((line) => String(line['msg']));
    const afterSignal = messages.slice(messages.findIndex((msg) => /SIGTERM received/.test(msg)));
    expect(afterSignal).toEqual(expect.arrayContaining(['upstream channels closed', 'shutdown complete']));
    // The in-flight request finished by itself; the grace period did not have to cut anything.
    expect(messages.filter((msg) => msg.includes('still running'))).toEqual([]);
  });

  it('refuses to start with a bad variable, naming it (exit 78)', async () => {
    await expect(
      ServiceProcess.run('api-gateway', GATEWAY, { HTTP_PORT: '99999', ORDER_SERVICE_URL: 'not a target' }),
    ).rejects.toThrow(/exited with code 78[\s\S]*HTTP_PORT: expected a port number[\s\S]*ORDER_SERVICE_URL: expected a gRPC target/);
  });
});
