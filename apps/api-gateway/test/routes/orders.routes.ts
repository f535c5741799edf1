import { randomUUID } from 'node:crypto';
import type { Stack } from '../support/stack';

/** /orders and /users/:id/orders through the gateway to the real order-service (which asks user-service). */
export function ordersRoutes(stack: Stack): void {
  let buyer: { id: string };

  const orderRows = async (userId: string) =>
    stack.services.orderDb.query<{ id: string; idempotency_key: string }>('SELECT id, idempotency_key FROM orders WHERE user_id = $1', [userId]);

  beforeAll(async () => {
    buyer = (await stack.api.post('/users', { body: { email: 'buyer@example.com', name: 'Buyer' } })).body;
  });

  it('places an order: 201, Location, total computed by the service, status as a word, key generated and echoed', async () => {
    const answer = await stack.api.post('/orders', {
      body: { userId: buyer.id, items: [{ sku: 'BOOK-1', quantity: 2, unitPriceCents: '1999' }, { sku: 'pen.blue', quantity: 1, unitPriceCents: '0' }] },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: expect.any(String),
      userId: buyer.id,
      items: [
        { sku: 'BOOK-1', quantity: 2, unitPriceCents: '1999' },
        { sku: 'pen.blue', quantity: 1, unitPriceCents: '0' },
      ],
      totalCents: '3998',
      status: 'CREATED',
      createTime: answer.body.updateTime,
      updateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(answer.headers.get('location')).toBe(`/orders/${answer.body.id}`);
    const key = answer.headers.get('idempotency-key');
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(await orderRows(buyer.id)).toContainEqual({ id: answer.body.id, idempotency_key: key });

    const fetched = await stack.api.get(`/orders/${answer.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(answer.body);
  });

  it('honours Idempotency-Key: the same key twice gives the same order and one row', async () => {
    const key = `checkout-${randomUUID()}`;
    const body = { userId: buyer.id, items: [{ sku: 'MUG', quantity: 3, unitPriceCents: '450' }] };
    const first = await stack.api.post('/orders', { body, headers: { 'Idempotency-Key': key } });
    const second = await stack.api.post('/orders', { body, headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotency-key')).toBe(key);
    expect((await orderRows(buyer.id)).filter((row) => row.idempotency_key === key)).toEqual([{ id: first.body.id, idempotency_key: key }]);

    const reused = await stack.api.post('/orders', { body: { ...body, items: [{ sku: 'MUG', quantity: 4, unitPriceCents: '450' }] }, headers: { 'Idempotency-Key': key } });
    expect(reused.status).toBe(422);
    expect(reused.body.detail).toMatch(/already used/);
  });

  it('keeps int64 amounts above 2^53 exact in both directions', async () => {
    const answer = await stack.api.post('/orders', {
      body: { userId: buyer.id, items: [{ sku: 'BIG', quantity: 1, unitPriceCents: '9007199254740993' }, { sku: 'MAX', quantity: 1, unitPriceCents: '9214364837600034814' }] },
    });
    expect(answer.status).toBe(201);
    expect(answer.body.items.map((i: { unitPriceCents: string }) => i.unitPriceCents)).toEqual(['9007199254740993', '9214364837600034814']);
    expect(answer.body.totalCents).toBe('9223372036854775807'); // int64 max, exactly
    expect((await stack.api.get(`/orders/${answer.body.id}`)).body.totalCents).toBe('9223372036854775807');
  });

  it('answers 422 for an order of an unknown user, writing nothing', async () => {
    const stranger = randomUUID();
    const answer = await stack.api.post('/orders', { body: { userId: stranger, items: [{ sku: 'X', quantity: 1, unitPriceCents: '1' }] } });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ title: 'Unprocessable Entity', detail: `user ${stranger} does not exist` });
    expect(await orderRows(stranger)).toEqual([]);
  });

  it('cancels an order once; a second cancel is 422; an unknown order is 404', async () => {
    const { body: order } = await stack.api.post('/orders', { body: { userId: buyer.id, items: [{ sku: 'C', quantity: 1, unitPriceCents: '5' }] } });
    // The route takes no body: one sent anyway (here naming another order) is not part of the request.
    const cancelled = await stack.api.post(`/orders/${order.id}/cancel`, { body: { id: randomUUID() } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: order.id, status: 'CANCELLED' });
    const twice = await stack.api.post(`/orders/${order.id}/cancel`);
    expect(twice.status).toBe(422);
    expect(twice.body.detail).toBe(`order ${order.id} is already cancelled`);
    const unknown = randomUUID();
    expect((await stack.api.post(`/orders/${unknown}/cancel`)).status).toBe(404);
    expect((await stack.api.get(`/orders/${unknown}`)).body).toMatchObject({ status: 404, detail: `order ${unknown} not found` });
  });

  it("lists a user's orders page by page; an unknown user has none", async () => {
    const { body: shopper } = await stack.api.post('/users', { body: { email: 'shopper@example.com', name: 'Shopper' } });
    const placed: string[] = [];
    for (const sku of ['A', 'B', 'C']) {
      placed.push((await stack.api.post('/orders', { body: { userId: shopper.id, items: [{ sku, quantity: 1, unitPriceCents: '100' }] } })).body.id);
    }
    const first = await stack.api.get(`/users/${shopper.id}/orders?page_size=2`);
    expect(first.status).toBe(200);
    expect(first.body.orders.map((o: { id: string }) => o.id)).toEqual(placed.slice(0, 2));
    expect(first.body.nextPageToken).toEqual(expect.any(String));
    const second = await stack.api.get(`/users/${shopper.id}/orders?page_size=2&page_token=${encodeURIComponent(first.body.nextPageToken)}`);
    expect(second.body).toEqual({ orders: [expect.objectContaining({ id: placed[2] })], nextPageToken: null });
    expect((await stack.api.get(`/users/${randomUUID()}/orders`)).body).toEqual({ orders: [], nextPageToken: null });
    const foreignToken = await stack.api.get(`/users/${buyer.id}/orders?page_token=${encodeURIComponent(first.body.nextPageToken)}`);
    expect(foreignToken.status).toBe(400);
    expect(foreignToken.body.detail).toMatch(/page_token/);
  });
}
