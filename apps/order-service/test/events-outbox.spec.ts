import { create } from '@bufbuild/protobuf';
import { v7 as uuidv7 } from 'uuid';
import { EVENTS, orderEventsV1, orderV1 } from '@acme/contracts';
import { createMigratedDatabase, type MigratedDatabase } from '@acme/testing';
import { loadOrderServiceConfig } from '../src/config';
import { orderDatabase } from '../src/database/data-source';
import { toNewOrder, UserDeletedError } from '../src/orders/order-rules';
import { OrdersRepository } from '../src/orders/orders.repository';

const newOrder = (userId: string, idempotencyKey: string) =>
  toNewOrder(
    create(orderV1.CreateOrderRequestSchema, { userId, idempotencyKey, items: [{ sku: 'A-1', quantity: 3, unitPriceCents: 9007199254740993n }] }),
  );

interface OutboxRow {
  event_id: string;
  event_type: string;
  routing_key: string;
  payload: Buffer;
}

// Each change to an order and the event announcing it commit together.
describe('order-service outbox and deleted users (real Postgres)', () => {
  let db: MigratedDatabase;
  let orders: OrdersRepository;
  const outbox = () => db.database.query<OutboxRow>('SELECT event_id, event_type, routing_key, payload FROM outbox ORDER BY id');
  const count = async (sql: string, params: unknown[] = []) => (await db.database.query<{ n: number }>(sql, params))[0]!.n;

  /**
   * Resolves once a session of this database waits for an advisory lock.
   * Postgres offers no notification for that, so this polls pg_locks; it
   * bounds nothing, it only orders the test's next step after the wait began.
   */
  async function someoneWaitsForALock(unless: { settled: boolean }): Promise<'waiting' | 'gave up'> {
    while ((await count(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)) === 0) {
      if (unless.settled) return 'gave up';
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return 'waiting';
  }

  beforeAll(async () => {
    db = await createMigratedDatabase('orders_events', (url) => loadOrderServiceConfig({ DATABASE_URL: url }), orderDatabase);
    orders = new OrdersRepository(db.sql);
  });
  afterEach(() => db.database.query('TRUNCATE outbox, order_items, orders, deleted_users'));
  afterAll(() => db.cleanup());

  it('records OrderCreated with the order, and nothing for an idempotent repeat', async () => {
    const [id, userId] = [uuidv7(), uuidv7()];
    await orders.insert(id, newOrder(userId, 'k'));
    expect(await orders.insert(uuidv7(), newOrder(userId, 'k'))).toBeUndefined();

    const rows = await outbox();
    expect(rows.map((r) => [r.event_type, r.routing_key])).toEqual([['acme.order.v1.OrderCreated', 'order.v1.created']]);
    expect(EVENTS.orderCreated.decode(rows[0]!.payload)).toMatchObject({
      eventId: rows[0]!.event_id,
      orderId: id,
      userId,
      totalCents: 27021597764222979n, // 3 * (2^53 + 1), exact
    });
  });

  it('records OrderCancelled (requested) when an open order is cancelled, and nothing when it was not open', async () => {
    const [id, userId] = [uuidv7(), uuidv7()];
    await orders.insert(id, newOrder(userId, 'c'));
    expect(await orders.cancel(id)).toBe('cancelled');
    expect(await orders.cancel(id)).toBe('not-open');
    expect(await orders.cancel(uuidv7())).toBe('missing');

    const cancelled = (await outbox()).filter((r) => r.event_type === 'acme.order.v1.OrderCancelled');
    expect(cancelled).toHaveLength(1);
    expect(EVENTS.orderCancelled.decode(cancelled[0]!.payload)).toMatchObject({
      orderId: id,
      userId,
      reason: orderEventsV1.CancelReason.REQUESTED,
    });
  });

  it('on a deleted user: cancels only that user\'s open orders, announces each, and refuses new orders', async () => {
    const [userId, otherUser] = [uuidv7(), uuidv7()];
    const open = [uuidv7(), uuidv7()];
    const alreadyCancelled = uuidv7();
    const others = uuidv7();
    for (const [i, id] of open.entries()) await orders.insert(id, newOrder(userId, `o${i}`));
    await orders.insert(alreadyCancelled, newOrder(userId, 'x'));
    await orders.cancel(alreadyCancelled);
    await orders.insert(others, newOrder(otherUser, 'o'));
    await db.database.query('TRUNCATE outbox');

    const cancelled = await db.sql.transaction((tx) =>
      orders.cancelOrdersOfDeletedUser(tx, { userId, deleteTime: new Date(), eventId: uuidv7() }),
    );

    expect(cancelled.sort()).toEqual([...open].sort());
    expect((await orders.findById(others))?.status).toBe('CREATED');
    const events = (await outbox()).map((r) => EVENTS.orderCancelled.decode(r.payload));
    expect(events.map((e) => e.orderId).sort()).toEqual([...open].sort());
    expect(events.every((e) => e.userId === userId && e.reason === orderEventsV1.CancelReason.USER_DELETED)).toBe(true);

    await expect(orders.insert(uuidv7(), newOrder(userId, 'after'))).rejects.toThrow(UserDeletedError);
    await expect(orders.insert(uuidv7(), newOrder(userId, 'after'))).rejects.toThrow(`user ${userId} was deleted; no order was written`);
    expect(await count('SELECT count(*)::int AS n FROM orders WHERE user_id = $1', [userId])).toBe(3);
    expect(await count(`SELECT count(*)::int AS n FROM outbox WHERE event_type = 'acme.order.v1.OrderCreated'`)).toBe(0);
  });

  it('an order inserted while the deletion is being applied waits for it, and is then refused', async () => {
    const userId = uuidv7();
    let insert: Promise<unknown> | undefined;
    await db.sql.transaction(async (tx) => {
      await orders.cancelOrdersOfDeletedUser(tx, { userId, deleteTime: new Date(), eventId: uuidv7() });
      // The deletion holds the user's lock until it commits: the insert must wait and then see the tombstone.
      insert = orders.insert(uuidv7(), newOrder(userId, 'racing'));
      const insertDone = { settled: false };
      const settled = insert.then(
        () => 'inserted without waiting',
        () => 'failed without waiting',
      ).finally(() => (insertDone.settled = true));
      expect(await Promise.race([someoneWaitsForALock(insertDone), settled])).toBe('waiting');
    });
    await expect(insert).rejects.toThrow(UserDeletedError);
    expect(await count('SELECT count(*)::int AS n FROM orders WHERE user_id = $1', [userId])).toBe(0);
  });
});
