import { randomUUID } from 'node:crypto';
import type { RunningHttpGateway } from '../src/http/bootstrap-http-gateway';
import { startGateway } from './support/gateway';
import { client, type Answer, type Client } from './support/http';
import { startServices, type Services } from './support/services';

describe('api-gateway when user-service is slow or down (real processes)', () => {
  let services: Services;
  let gateway: RunningHttpGateway;
  let api: Client;
  let buyer: { id: string };
  const order = () => ({ body: { userId: buyer.id, items: [{ sku: 'F', quantity: 1, unitPriceCents: '1' }] } });
  const orderCount = async () => (await services.orderDb.query('SELECT id FROM orders')).length;

  beforeAll(async () => {
    services = await startServices('gw_faults');
    // Short budgets keep the suite fast; order-service gives user-service 1 s of its own.
    gateway = await startGateway({ ...services.gatewayEnv, USER_SERVICE_DEADLINE_MS: '800', READINESS_TIMEOUT_MS: '300' });
    api = client(gateway.url);
    buyer = (await api.post('/users', { body: { email: 'faults@example.com', name: 'Faults' } })).body;
  });
  afterAll(async () => {
    if (services?.userService.running) services.userService.child.kill('SIGCONT');
    await gateway?.shutdown();
    await services?.stop();
  });

  const expectProblem = (answer: Answer, status: number) => {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // The gRPC library's own messages name addresses; none may reach the client.
    expect(answer.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|remote_addr/);
  };

  describe('user-service hangs (SIGSTOP: connection open, no answer)', () => {
    beforeAll(() => void services.userService.child.kill('SIGSTOP'));
    afterAll(() => void services.userService.child.kill('SIGCONT'));

    it('GET /users/:id answers 504 once the deadline passes', async () => {
      const answer = await api.get(`/users/${buyer.id}`);
      expectProblem(answer, 504);
      expect(answer.body.detail).toBe('user-service (or a service it depends on) did not answer in time; retry later');
    });

    it('POST /orders answers 504 (order-service gave up on user-service) and writes no order', async () => {
      const before = await orderCount();
      const answer = await api.post('/orders', order());
      expectProblem(answer, 504);
      expect(answer.body.detail).toMatch(/^order-service \(or a service it depends on\)/);
      expect(answer.headers.get('idempotency-key')).toEqual(expect.any(String));
      expect(await orderCount()).toBe(before);
    });

    it('/readyz answers 503 naming user-service; /healthz stays 200', async () => {
      const ready = await api.get('/readyz');
      expectProblem(ready, 503);
      expect(ready.body).toMatchObject({ detail: 'not ready: user-service is DEADLINE_EXCEEDED', upstreams: { 'order-service': 'SERVING' } });
      expect((await api.get('/healthz')).status).toBe(200);
    });
  });

  describe('user-service stopped', () => {
    beforeAll(async () => {
      expect(await services.userService.stop('SIGTERM')).toBe(0);
    });

    it('GET /users/:id answers 503 with Retry-After', async () => {
      const answer = await api.get(`/users/${buyer.id}`);
      expectProblem(answer, 503);
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(answer.body.detail).toBe('user-service (or a service it depends on) is unavailable; retry later');
    });

    it('POST /orders answers 503 and writes no order', async () => {
      const before = await orderCount();
      const answer = await api.post('/orders', order());
      expectProblem(answer, 503);
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(await orderCount()).toBe(before);
    });

    it('/readyz answers 503 naming user-service', async () => {
      const ready = await api.get('/readyz');
      expectProblem(ready, 503);
      expect(ready.body.detail).toBe('not ready: user-service is UNAVAILABLE');
      expect(ready.body.upstreams).toEqual({ 'user-service': 'UNAVAILABLE', 'order-service': 'SERVING' });
    });

    it('serves again once user-service is back, without restarting the gateway', async () => {
      await services.restartUserService();
      // As a client would: retry after the Retry-After the 503 names, with the same idempotency key.
      const key = `after-restart-${randomUUID()}`;
      let answer = await api.post('/orders', { ...order(), headers: { 'Idempotency-Key': key } });
      for (let attempt = 1; answer.status === 503 && attempt < 10; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, Number(answer.headers.get('retry-after')) * 1000));
        answer = await api.post('/orders', { ...order(), headers: { 'Idempotency-Key': key } });
      }
      expect(answer.status).toBe(201);
      expect((await api.get(`/users/${buyer.id}`)).status).toBe(200);
      expect(await services.orderDb.query('SELECT 1 FROM orders WHERE idempotency_key = $1', [key])).toHaveLength(1);
    });
  });
});
