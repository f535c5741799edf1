import type { RunningHttpGateway } from '../src/http/bootstrap-http-gateway';
import { startGateway } from './support/gateway';
import { exchange, RawConnection, rawRequest, type RawResponse } from './support/raw-http';
import { launchSystem, type RunningSystem } from '@acme/testing';

// The gateway's HTTP server against clients that are slow, silent or not
// speaking HTTP, over raw sockets. No route here calls an upstream, so no
// service runs; the development identity provider does, for the tokens of
// the clients whose body the gateway reads. Nothing waits by sleeping: each test awaits the answer and
// the close of its socket, bounded only by Jest's timeout.
describe('api-gateway against slow and broken clients (raw sockets)', () => {
  const HEADERS_MS = 1_000;
  const REQUEST_MS = 2_000;
  const IDLE_MS = 3_000;
  /** Node checks the headers and request timeouts every HEADERS_MS / 10; allow for that and a busy machine. */
  const LATE_MS = 400;
  /** Node closes a kept-alive connection this long after its advertised keep-alive timeout. */
  const NODE_KEEP_ALIVE_BUFFER_MS = 1_000;
  const TRICKLE_EVERY_MS = 50;
  let gateway: RunningHttpGateway;
  let identity: RunningSystem;
  let token: string;

  beforeAll(async () => {
    identity = await launchSystem({ apps: ['identity-provider'] });
    token = await identity.identity.token('admin');
    gateway = await startGateway({
      AUTH_ISSUER: identity.target('identity-provider'),
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
      HTTP_IDLE_TIMEOUT_MS: String(IDLE_MS),
      // The idle timeout must exceed every upstream deadline.
      USER_SERVICE_DEADLINE_MS: '500',
      ORDER_SERVICE_DEADLINE_MS: '500',
      READINESS_TIMEOUT_MS: '500',
    });
  });
  afterAll(async () => {
    await gateway?.shutdown();
    await identity?.stop();
  });

  /** Writes `prefix` and then 'a' forever, a byte every TRICKLE_EVERY_MS (faster than the idle timeout), until the socket closes. */
  const trickle = (connection: RawConnection, prefix: string) => {
    let sent = 0;
    const timer = setInterval(() => connection.write(prefix[sent++] ?? 'a'), TRICKLE_EVERY_MS);
    void connection.closed.then(() => clearInterval(timer));
  };

  const bodyHeaders = (contentLength: number, authorized = true) =>
    rawRequest('POST', '/users', {
      'Content-Type': 'application/json',
      'Content-Length': String(contentLength),
      ...(authorized ? { Authorization: `Bearer ${token}` } : {}),
    });

  /** A 408 problem document, then the server closes the connection; resolves with the ms from `started` to the answer. */
  const expect408ThenClose = async (connection: RawConnection, started: number): Promise<number> => {
    const answer = await connection.response();
    const elapsed = performance.now() - started;
    expectProblem(answer, 408, /^the request did not arrive in time: its headers must arrive within 1000 ms and all of it within 2000 ms$/);
    await connection.closed;
    return elapsed;
  };

  const expectProblem = (answer: RawResponse, status: number, detail: RegExp) => {
    expect(answer.status).toBe(status);
    expect(answer.rawHeaders.get('content-type')?.toString()).toBe('application/problem+json');
    expect(answer.rawHeaders.get('connection')?.toString()).toBe('close');
    expect(answer.body).toMatchObject({ type: 'about:blank', status, detail: expect.stringMatching(detail), requestId: answer.rawHeaders.get('x-request-id')?.toString() });
  };

  it('headers trickled and never finished: 408 at the headers timeout, then the connection is closed', async () => {
    const connection = await RawConnection.open(gateway.url);
    const started = performance.now();
    trickle(connection, 'GET /healthz HTTP/1.1\r\nHost: gateway\r\nX-Slow: ');
    const elapsed = await expect408ThenClose(connection, started);
    expect(elapsed).toBeGreaterThanOrEqual(HEADERS_MS);
    expect(elapsed).toBeLessThan(HEADERS_MS + LATE_MS);
  });

  it('a connection that sends nothing: 408 at the headers timeout, then closed', async () => {
    const connection = await RawConnection.open(gateway.url);
    const elapsed = await expect408ThenClose(connection, performance.now());
    expect(elapsed).toBeLessThan(HEADERS_MS + LATE_MS);
  });

  it('a body shorter than its Content-Length (100 declared, 10 sent): 408 at the request timeout, then closed', async () => {
    const connection = await RawConnection.open(gateway.url);
    const started = performance.now();
    connection.write(Buffer.concat([bodyHeaders(100), Buffer.from('{"email":"')]));
    const elapsed = await expect408ThenClose(connection, started);
    expect(elapsed).toBeGreaterThanOrEqual(REQUEST_MS);
    expect(elapsed).toBeLessThan(REQUEST_MS + LATE_MS);
  });

  it('a client without a token is answered 401 at once, its body never waited for', async () => {
    const connection = await RawConnection.open(gateway.url);
    // 10 of the 100 bytes it announced: the answer comes while the rest is still owed.
    connection.write(Buffer.concat([bodyHeaders(100, false), Buffer.from('{"email":"')]));
    const answer = await connection.response();
    expect(answer.status).toBe(401);
    expect(answer.rawHeaders.get('www-authenticate')?.toString()).toBe('Bearer realm="acme"');
    expect(answer.body).toMatchObject({ status: 401, detail: 'POST /users needs an access token: send "Authorization: Bearer <token>" (see the README for how to get one)' });
    connection.destroy();
  });

  it('an idle kept-alive connection is closed by the server after the idle timeout', async () => {
    const connection = await RawConnection.open(gateway.url);
    connection.write(rawRequest('GET', '/healthz', {}));
    const answer = await connection.response();
    const answered = performance.now();
    expect(answer.status).toBe(200);
    expect(answer.rawHeaders.get('keep-alive')?.toString()).toBe(`timeout=${IDLE_MS / 1000}`);
    await connection.closed;
    const idle = performance.now() - answered;
    expect(idle).toBeGreaterThanOrEqual(IDLE_MS);
    expect(idle).toBeLessThan(IDLE_MS + NODE_KEEP_ALIVE_BUFFER_MS + LATE_MS);
  });

  it('50 trickling connections (headers or body) are all answered 408 and closed, while others are served', async () => {
    const connections = await Promise.all(Array.from({ length: 50 }, () => RawConnection.open(gateway.url)));
    const started = performance.now();
    connections.forEach((connection, i) => {
      if (i % 2 === 1) connection.write(bodyHeaders(10_000)); // the headers at once, then a trickled body
      trickle(connection, i % 2 === 0 ? 'GET /healthz HTTP/1.1\r\nHost: gateway\r\nX-Slow: ' : '');
    });
    // The trickling ones hold no resource that others need.
    expect((await exchange(gateway.url, rawRequest('GET', '/healthz', { Connection: 'close' }))).status).toBe(200);
    const elapsed = await Promise.all(connections.map((connection) => expect408ThenClose(connection, started)));
    expect(Math.max(...elapsed)).toBeLessThan(REQUEST_MS + LATE_MS);
  });

  it('bytes that are not HTTP/1.1 (a path outside ASCII): 400 problem document, then closed', async () => {
    const connection = await RawConnection.open(gateway.url);
    connection.write(rawRequest('GET', '/users/\xe9', {}));
    expectProblem(await connection.response(), 400, /^the request is not valid HTTP\/1\.1 \(Invalid char in url path\): percent-encode/);
    await connection.closed;
  });

  it('headers over the size Node accepts: 431 problem document, then closed', async () => {
    const connection = await RawConnection.open(gateway.url);
    connection.write(rawRequest('GET', '/healthz', { 'X-Big': 'a'.repeat(20_000) }));
    expectProblem(await connection.response(), 431, /^the request's headers are larger than 16384 bytes$/);
    await connection.closed;
  });
});
