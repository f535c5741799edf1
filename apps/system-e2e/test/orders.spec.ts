import { type FieldsOf, orderV1 } from '@acme/contracts';
import { ServiceStack } from '@acme/testing';
import { expectStatus, status } from './support/expect-status';

const { OrderStatus } = orderV1;
type CreateOrderRequest = FieldsOf<typeof orderV1.CreateOrderRequestSchema>;

describe('OrderService end to end (real processes, real gRPC, real Postgres)', () => {
  let system: ServiceStack;
  let userId: string;
  const order = (over: Partial<CreateOrderRequest> = {}): CreateOrderRequest => ({
    userId,
    idempotencyKey: `key-${Math.random()}`,
    items: [
      { sku: 'BOOK-1', quantity: 2, unitPriceCents: 1250n },
      { sku: 'PEN-9', quantity: 1, unitPriceCents: 199n },
    ],
    ...over,
  });

  beforeAll(async () => {
    system = await ServiceStack.start();
    userId = (await system.users.createUser({ email: 'buyer@example.com', name: 'Buyer', idempotencyKey: '' })).id;
  });
  afterAll(() => system?.stop());

  it('creates an order for an existing user with a server-computed total, and reads it back', async () => {
    const created = await system.orders.createOrder(order());
    expect(created).toMatchObject({ userId, totalCents: 2699n, status: OrderStatus.CREATED });
    expect(created.items).toMatchObject([
      { sku: 'BOOK-1', quantity: 2, unitPriceCents: 1250n },
      { sku: 'PEN-9', quantity: 1, unitPriceCents: 199n },
    ]);
    expect(await system.orders.getOrder({ id: created.id })).toEqual(created);
    // The UUID rule takes either letter case.
    expect(await system.orders.getOrder({ id: created.id.toUpperCase() })).toEqual(created);
  });

  it('keeps int64 money exact above 2^53', async () => {
    const price = 9007199254740993n; // 2^53 + 1: not representable as a double
    const created = await system.orders.createOrder(order({ items: [{ sku: 'GOLD', quantity: 1000, unitPriceCents: price }] }));
    expect(created.totalCents).toBe(9007199254740993000n);
    const read = await system.orders.getOrder({ id: created.id });
    expect(read.items[0]?.unitPriceCents).toBe(price);
    expect(read.totalCents).toBe(9007199254740993000n);
    const rows = await system.orderDb.query(`SELECT total_cents::text AS t FROM orders WHERE id = $1`, [created.id]);
    expect(rows).toEqual([{ t: '9007199254740993000' }]);
  });

  it('stores idempotency keys with SQL metacharacters and unicode verbatim', async () => {
    const idempotencyKey = `'; DROP TABLE orders; -- ключ 🔑 \\%_`;
    const created = await system.orders.createOrder(order({ idempotencyKey }));
    const rows = await system.orderDb.query(`SELECT idempotency_key AS k FROM orders WHERE id = $1`, [created.id]);
    expect(rows).toEqual([{ k: idempotencyKey }]);
    expect((await system.orders.createOrder(order({ idempotencyKey }))).id).toBe(created.id);
  });

  describe('idempotency', () => {
    it('returns the first order for a repeated key and writes nothing new', async () => {
      const request = order();
      const first = await system.orders.createOrder(request);
      const before = await system.orderRowCount();
      const again = await system.orders.createOrder(request);
      expect(again).toEqual(first);
      expect(await system.orderRowCount()).toBe(before);
    });

    it('creates exactly one order when 20 identical requests race', async () => {
      const request = order();
      const before = await system.orderRowCount();
      const results = await Promise.all(Array.from({ length: 20 }, () => system.orders.createOrder(request)));
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await system.orderRowCount()).toBe(before + 1);
    });

    it('answers a retry with its order even after user-service forgot the user, and writes nothing new', async () => {
      const leaving = (await system.users.createUser({ email: `leaving-${Math.random()}@example.com`, name: 'Leaving', idempotencyKey: '' })).id;
      const request = order({ userId: leaving });
      const first = await system.orders.createOrder(request);
      await system.users.deleteUser({ id: leaving });
      const before = await system.orderRowCount();
      expect(await system.orders.createOrder(request)).toEqual(first);
      expect(await system.orderRowCount()).toBe(before);
      // A new key for that user is refused: the user is gone.
      await expectStatus(system.orders.createOrder({ ...request, idempotencyKey: 'after-deletion' }), status.FAILED_PRECONDITION, `user ${leaving} does not exist`);
    });

    it('refuses a key reused for different items with FAILED_PRECONDITION', async () => {
      const request = order();
      const first = await system.orders.createOrder(request);
      await expectStatus(
        system.orders.createOrder({ ...request, items: [{ sku: 'OTHER', quantity: 1, unitPriceCents: 1n }] }),
        status.FAILED_PRECONDITION,
        `was already used for order ${first.id} with different items`,
      );
    });
  });

  it('answers FAILED_PRECONDITION for an unknown user and writes no order', async () => {
    const before = await system.orderRowCount();
    const stranger = '01a2175a-0000-7000-8000-000000000000';
    await expectStatus(system.orders.createOrder(order({ userId: stranger })), status.FAILED_PRECONDITION, `user ${stranger} does not exist`);
    expect(await system.orderRowCount()).toBe(before);
  });

  // One case per kind of field rule (buf.validate, checked before the handler), then the service's own total rule.
  it.each<[string, Partial<CreateOrderRequest>, string]>([
    ['user_id', { userId: 'bob' }, 'user_id: must be a UUID, got "bob"'],
    ['idempotency_key (none)', { idempotencyKey: '' }, 'idempotency_key: is required'],
    ['idempotency_key (256 characters)', { idempotencyKey: 'k'.repeat(256) }, 'idempotency_key: must be at most 255 characters, got 256'],
    ['idempotency_key (NUL)', { idempotencyKey: 'k\u0000' }, 'idempotency_key: must not contain NUL characters'],
    ['items (none)', { items: [] }, 'items: must contain at least one item'],
    ['items (101)', { items: Array.from({ length: 101 }, () => ({ sku: 'A', quantity: 1, unitPriceCents: 1n })) }, 'items: must contain at most 100 items, got 101'],
    ['quantity 0', { items: [{ sku: 'A', quantity: 0, unitPriceCents: 1n }] }, 'items[0].quantity: must be between 1 and 10000, got 0'],
    ['quantity 10001', { items: [{ sku: 'A', quantity: 10_001, unitPriceCents: 1n }] }, 'items[0].quantity: must be between 1 and 10000, got 10001'],
    ['negative price', { items: [{ sku: 'A', quantity: 1, unitPriceCents: -5n }] }, 'items[0].unit_price_cents: must be at least 0, got -5'],
    ['sku', { items: [{ sku: 'A', quantity: 1, unitPriceCents: 1n }, { sku: 'no spaces', quantity: 1, unitPriceCents: 1n }] }, 'items[1].sku: must match the pattern ^[A-Za-z0-9._-]*$'],
    ['sku (none)', { items: [{ sku: '', quantity: 1, unitPriceCents: 1n }] }, 'items[0].sku: is required'],
    ['sku (65 characters)', { items: [{ sku: 'S'.repeat(65), quantity: 1, unitPriceCents: 1n }] }, 'items[0].sku: must be at most 64 characters, got 65'],
    ['overflowing total', { items: [{ sku: 'A', quantity: 10_000, unitPriceCents: 9223372036854775807n }] }, 'items: the order total (92233720368547758070000 cents) does not fit in int64'],
  ])('answers INVALID_ARGUMENT for a bad %s, before asking user-service, writing nothing', async (_f, over, message) => {
    const before = await system.orderRowCount();
    expect(await expectStatus(system.orders.createOrder(order(over)), status.INVALID_ARGUMENT)).toBe(message);
    expect(await system.orderRowCount()).toBe(before);
  });

  it('cancels an order once; a second cancel is FAILED_PRECONDITION', async () => {
    const created = await system.orders.createOrder(order());
    const cancelled = await system.orders.cancelOrder({ id: created.id });
    expect(cancelled).toMatchObject({ id: created.id, status: OrderStatus.CANCELLED, totalCents: created.totalCents });
    await expectStatus(system.orders.cancelOrder({ id: created.id }), status.FAILED_PRECONDITION, `order ${created.id} is already cancelled`);
    expect((await system.orders.getOrder({ id: created.id })).status).toBe(OrderStatus.CANCELLED);
  });

  it('answers NOT_FOUND / INVALID_ARGUMENT for unknown and malformed order ids', async () => {
    const unknown = '01a2175a-0000-7000-8000-0000000000ff';
    await expectStatus(system.orders.getOrder({ id: unknown }), status.NOT_FOUND, `order ${unknown} not found`);
    await expectStatus(system.orders.cancelOrder({ id: unknown }), status.NOT_FOUND);
    await expectStatus(system.orders.getOrder({ id: 'x' }), status.INVALID_ARGUMENT, /^id: must be a UUID, got "x"$/);
    await expectStatus(system.orders.cancelOrder({ id: '' }), status.INVALID_ARGUMENT, /^id: is required$/);
  });

  it("lists one user's orders page by page, and validates the request", async () => {
    const buyer = (await system.users.createUser({ email: 'lister@example.com', name: 'Lister', idempotencyKey: '' })).id;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await system.orders.createOrder(order({ userId: buyer }))).id);

    const first = await system.orders.listOrders({ userId: buyer, pageSize: 2, pageToken: '' });
    const second = await system.orders.listOrders({ userId: buyer, pageSize: 2, pageToken: first.nextPageToken });
    const third = await system.orders.listOrders({ userId: buyer, pageSize: 2, pageToken: second.nextPageToken });
    expect([...first.orders, ...second.orders, ...third.orders].map((o) => o.id)).toEqual(ids);
    expect(third.nextPageToken).toBe('');

    // A token belongs to one user's list.
    await expectStatus(system.orders.listOrders({ userId, pageSize: 2, pageToken: first.nextPageToken }), status.INVALID_ARGUMENT, /^page_token: /);
    await expectStatus(system.orders.listOrders({ userId: 'x', pageSize: 2, pageToken: '' }), status.INVALID_ARGUMENT, /^user_id: must be a UUID, got "x"$/);
    await expectStatus(system.orders.listOrders({ userId: buyer, pageSize: 500, pageToken: '' }), status.INVALID_ARGUMENT, /^page_size: /);
  });
});
