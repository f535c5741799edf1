import { create } from '@bufbuild/protobuf';
import { v7 as uuidv7 } from 'uuid';
import { orderV1 } from '@acme/contracts';
import { createMigratedDatabase, type MigratedDatabase } from '@acme/testing';
import { loadOrderServiceConfig } from '../src/config';
import { orderDatabase } from '../src/database/data-source';
import { toNewOrder } from '../src/orders/order-rules';
import { OrdersRepository } from '../src/orders/orders.repository';

const newOrder = (userId: string, idempotencyKey: string, unitPriceCents = 250n) =>
  toNewOrder(
    create(orderV1.CreateOrderRequestSchema, {
      userId,
      idempotencyKey,
      items: [
        { sku: 'A-1', quantity: 2, unitPriceCents },
        { sku: 'B-2', quantity: 1, unitPriceCents: 9007199254740993n },
      ],
    }),
  );

describe('OrdersRepository (real Postgres)', () => {
  let db: MigratedDatabase;
  let orders: OrdersRepository;
  const count = async (sql: string, params: unknown[]) => (await db.database.query<{ n: number }>(sql, params))[0]?.n;

  beforeAll(async () => {
    db = await createMigratedDatabase(
      'orders_repo',
      (url) => loadOrderServiceConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '20' }),
      orderDatabase,
    );
    orders = new OrdersRepository(db.sql);
  });
  afterAll(() => db.cleanup());

  it('inserts an order with its items in order, and reads it back exactly (int64 above 2^53)', async () => {
    const id = uuidv7();
    const order = newOrder(uuidv7(), 'k-1');
    const inserted = await orders.insert(id, order);
    expect(inserted).toMatchObject({ id, status: 'CREATED', totalCents: '9007199254741493' });
    const read = await orders.findById(id);
    expect(read).toMatchObject({ id, userId: order.userId, totalCents: '9007199254741493', idempotencyKey: 'k-1' });
    expect(read?.items).toEqual([
      { sku: 'A-1', quantity: 2, unitPriceCents: '250' },
      { sku: 'B-2', quantity: 1, unitPriceCents: '9007199254740993' },
    ]);
  });

  it('writes nothing for a repeated (user, key) and finds the first order by key', async () => {
    const userId = uuidv7();
    const first = await orders.insert(uuidv7(), newOrder(userId, 'same'));
    expect(await orders.insert(uuidv7(), newOrder(userId, 'same', 1n))).toBeUndefined();
    expect((await orders.findByIdempotencyKey(userId, 'same'))?.id).toBe(first?.id);
    expect(await count(`SELECT count(*)::int AS n FROM orders WHERE user_id = $1`, [userId])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.user_id = $1`, [userId])).toBe(2);
  });

  it('lets exactly one of many concurrent inserts with the same key win', async () => {
    const userId = uuidv7();
    const results = await Promise.all(Array.from({ length: 16 }, () => orders.insert(uuidv7(), newOrder(userId, 'race'))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await count(`SELECT count(*)::int AS n FROM orders WHERE user_id = $1`, [userId])).toBe(1);
  });

  it('scopes keys per user', async () => {
    const [a, b] = [uuidv7(), uuidv7()];
    expect(await orders.insert(uuidv7(), newOrder(a, 'shared'))).toBeDefined();
    expect(await orders.insert(uuidv7(), newOrder(b, 'shared'))).toBeDefined();
  });

  it('stores keys with SQL metacharacters and any script verbatim', async () => {
    const userId = uuidv7();
    const key = `'; DELETE FROM orders; -- \\ % _ "ключ" 😀`;
    const inserted = await orders.insert(uuidv7(), newOrder(userId, key));
    expect((await orders.findByIdempotencyKey(userId, key))?.id).toBe(inserted?.id);
  });

  it('cancels an open order once, and tells missing from already cancelled', async () => {
    const id = uuidv7();
    await orders.insert(id, newOrder(uuidv7(), 'c'));
    expect(await orders.cancel(id)).toBe('cancelled');
    expect(await orders.cancel(id)).toBe('not-open');
    expect(await orders.cancel(uuidv7())).toBe('missing');
    const cancelled = await orders.findById(id);
    expect(cancelled?.status).toBe('CANCELLED');
    expect(cancelled!.updateTime.getTime()).toBeGreaterThanOrEqual(cancelled!.createTime.getTime());
  });

  it('pages one user\'s orders in id order', async () => {
    const userId = uuidv7();
    const ids = [uuidv7(), uuidv7(), uuidv7()];
    for (const [i, id] of ids.entries()) await orders.insert(id, newOrder(userId, `p${i}`));
    expect((await orders.listByUser(userId, undefined, 2)).map((o) => o.id)).toEqual(ids.slice(0, 2));
    expect((await orders.listByUser(userId, ids[1], 2)).map((o) => o.id)).toEqual(ids.slice(2));
    expect(await orders.listByUser(uuidv7(), undefined, 10)).toEqual([]);
  });
});
