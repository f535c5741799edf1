import { randomUUID } from 'node:crypto';
import type { Answer } from './support/http';
import { useStack } from './support/stack';

describe('api-gateway when user-service is slow or down (real processes)', () => {
  // Short budgets keep the suite fast; order-service gives user-service 1 s of its own.
  const stack = useStack('gw_faults', { USER_SERVICE_DEADLINE_MS: '800', READINESS_TIMEOUT_MS: '300' });
  let buyer: { id: string };
  const order = () => ({ body: { userId: buyer.id, items: [{ sku: 'F', quantity: 1, unitPriceCents: '1' }] } });
  const orderCount = async () => (await stack.services.orderDb.query('SELECT id FROM orders')).length;

  beforeAll(async () => {
    buyer = (await stack.api.post('/users', { body: { email: 'faults@example.com', name: 'Faults' } })).body;
  });

  const expectProblem = (answer: Answer, status: number) => {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // The gRPC library's own messages name addresses; none may reach the client.
    expect(answer.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|remote_addr/);
  };

  describe('user-service hangs (SIGSTOP: connection open, no answer)', () => {
    beforeAll(() => void stack.services.userService.child.kill('SIGSTOP'));
    afterAll(() => void stack.services.userService.child.kill('SIGCONT'));

    it('GET /users/:id answers 504 once the deadline passes, not much later than the deadline', async () => {
      const started = performance.now();
      const answer = await stack.api.get(`/users/${buyer.id}`);
      const elapsed = performance.now() - started;
      expectProblem(answer, 504);
      // The gateway's own budget for user-service (USER_SERVICE_DEADLINE_MS above) is the binding deadline.
      expect(elapsed).toBeGreaterThanOrEqual(800);
      // Well before anything else would end it (the process is stopped: nothing else would); +50 % for a loaded machine.
      expect(elapsed).toBeLessThanOrEqual(800 * 1.5);
      expect(answer.body.detail).toBe('user-service (or a service it depends on) did not answer in time; retry later');
    });

    it('POST /orders answers 504 (order-service gave up on user-service) within its deadline, and writes no order', async () => {
      const before = await orderCount();
      const started = performance.now();
      const answer = await stack.api.post('/orders', order());
      const elapsed = performance.now() - started;
      expectProblem(answer, 504);
      // order-service's budget for user-service (its default USER_SERVICE_DEADLINE_MS, 1 s) binds here.
      expect(elapsed).toBeGreaterThanOrEqual(1_000);
      // Not the gateway's own 3 s for order-service (ORDER_SERVICE_DEADLINE_MS); +50 % for a loaded machine (1.2 s seen in CI).
      expect(elapsed).toBeLessThanOrEqual(1_000 * 1.5);
      expect(answer.body.detail).toMatch(/^order-service \(or a service it depends on\)/);
      expect(answer.headers.get('idempotency-key')).toEqual(expect.any(String));
      expect(await orderCount()).toBe(before);
    });

    it('/readyz answers 503 naming user-service; /healthz stays 200', async () => {
      const ready = await stack.api.get('/readyz');
      expectProblem(ready, 503);
      expect(ready.body).toMatchObject({ detail: 'not ready: user-service is DEADLINE_EXCEEDED', upstreams: { 'order-service': 'SERVING' } });
      expect((await stack.api.get('/healthz')).status).toBe(200);
    });
  });

  describe('user-service stopped', () => {
    beforeAll(async () => {
      expect(await stack.services.userService.stop('SIGTERM')).toBe(0);
    });

    it('GET /users/:id answers 503 with Retry-After', async () => {
      const answer = await stack.api.get(`/users/${buyer.id}`);
      expectProblem(answer, 503);
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(answer.body.detail).toBe('user-service (or a service it depends on) is unavailable; retry later');
    });

    it('POST /orders answers 503 and writes no order', async () => {
      const before = await orderCount();
      const answer = await stack.api.post('/orders', order());
      expectProblem(answer, 503);
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(await orderCount()).toBe(before);
    });

    it('/readyz answers 503 naming user-service', async () => {
      const ready = await stack.api.get('/readyz');
      expectProblem(ready, 503);
      expect(ready.body.detail).toBe('not ready: user-service is UNAVAILABLE');
      expect(ready.body.upstreams).toEqual({ 'user-service': 'UNAVAILABLE', 'order-service': 'SERVING' });
    });

    it('serves again once user-service is back, without restarting the gateway', async () => {
      await stack.services.restartUserService();
      // Each client channel reconnects on its own backoff (up to a few seconds after
      // a restart), answering 503 meanwhile. A client retries after the Retry-After
      // the 503 names, with the same idempotency key.
      const key = `after-restart-${randomUUID()}`;
      const created = await honouringRetryAfter(() => stack.api.post('/orders', { ...order(), headers: { 'Idempotency-Key': key } }));
      expect(created.status).toBe(201);
      expect((await honouringRetryAfter(() => stack.api.get(`/users/${buyer.id}`))).status).toBe(200);
      expect(await stack.services.orderDb.query('SELECT 1 FROM orders WHERE idempotency_key = $1', [key])).toHaveLength(1);
    });
  });
});

/** Repeats a request while it answers 503, waiting the Retry-After it names each time (at most 10 tries). */
async function honouringRetryAfter(send: () => Promise<Answer>): Promise<Answer> {
  let answer = await send();
  for (let attempt = 1; answer.status === 503 && attempt < 10; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, Number(answer.headers.get('retry-after')) * 1000));
    answer = await send();
  }
  return answer;
}
