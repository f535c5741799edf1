import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { appScript, ServiceProcess } from '@acme/testing';
import { client } from './support/http';
import { rawRequest } from './support/raw-http';
import { jsonLines, waitForLogLine } from './support/logs';
import type { ServiceStack } from '@acme/testing';
import { startDebugServices } from './support/stack';

const GATEWAY = appScript('api-gateway', 'serve');

/** A bare socket's received bytes as text, for a response RawConnection does not parse (chunked, then another). */
class SocketReader {
  text = '';
  readonly closed: Promise<void>;
  private wake: (() => void) | undefined;
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.text += chunk;
      this.wake?.();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => this.wake?.());
  }
  static async open(baseUrl: string): Promise<SocketReader> {
    const { hostname, port } = new URL(baseUrl);
    const socket = connect(Number(port), hostname);
    await once(socket, 'connect');
    return new SocketReader(socket);
  }
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }
  /** Resolves once what was received satisfies `done`; rejects if the socket closes first. */
  async until(done: (text: string) => boolean): Promise<void> {
    while (!done(this.text)) {
      if (this.socket.destroyed) throw new Error(`closed before expected; received ${JSON.stringify(this.text.slice(-300))}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

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
    // An event stream on a keep-alive connection: the shutdown ends it, and the connection stays open after close()
    // reaped the idle ones.
    const watch = await SocketReader.open(url);
    watch.write(rawRequest('GET', `/users/${user.id}/orders:watch`, { authorization: `Bearer ${await services.identity.token('admin')}` }));
    await watch.until((text) => text.includes('SNAPSHOT_END'));

    gateway.child.kill('SIGTERM');
    await waitForLogLine(gateway, (line) => /SIGTERM received/.test(String(line['msg'])));
    // A new request is refused: the listening socket is closed (or a kept-alive connection gets 503).
    const late = await fetch(`${url}/healthz`).then((r) => r.status, (error: Error) => error.name);
    expect([503, 'TypeError']).toContain(late);
    // The stream's connection, once the shutdown ended the stream (the last chunk): a request on it is refused 503
    // with a problem document like every other error, not with Fastify's own JSON (the chaos soak saw that).
    await watch.until((text) => text.endsWith('\r\n0\r\n\r\n'));
    const before = watch.text.length;
    watch.write(rawRequest('GET', '/healthz', {}));
    await watch.closed;
    const refusal = watch.text.slice(before);
    expect(refusal).toMatch(/^HTTP\/1\.1 503 /);
    expect(refusal).toMatch(/\r\ncontent-type: application\/problem\+json/i);
    expect(refusal).toMatch(/"status":503/);
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
