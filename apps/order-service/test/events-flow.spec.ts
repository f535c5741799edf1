import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { status } from '@grpc/grpc-js';
import { EVENTS, orderEventsV1, orderV1 } from '@acme/contracts';
import { grpcStatusOf } from '@acme/grpc-kit';
import { DEAD_LETTER_HEADERS } from '@acme/messaging';
import { EventTap } from '@acme/messaging/testing';
import { summarizeLatencies } from '@acme/testing';
import { buildServices, EventsSystem, ORDER_DLQ, waitForLog } from './events-system';

jest.setTimeout(60_000);

/** The gRPC status a call fails with (and its message). */
async function failure(call: Promise<unknown>): Promise<{ code: number | undefined; details: string }> {
  try {
    await call;
  } catch (error) {
    return { code: grpcStatusOf(error), details: String((error as { details?: string }).details ?? error) };
  }
  throw new Error('the call succeeded');
}

/** A UserDeleted as user-service would publish it. */
function userDeletedMessage(userId: string, eventId = randomUUID()) {
  const content = Buffer.from(EVENTS.userDeleted.encode(EVENTS.userDeleted.create({ eventId, userId, occurTime: timestampFromDate(new Date()) })));
  const properties = { contentType: 'application/x-protobuf', type: EVENTS.userDeleted.type, messageId: eventId, persistent: true };
  return { eventId, content, properties };
}

// user-service and order-service as real processes on the real RabbitMQ:
// DeleteUser -> UserDeleted (user-service's outbox) -> order-service cancels
// the user's open orders (announcing each with OrderCancelled) and refuses new ones.
describe('events between the services (real processes, RabbitMQ, Postgres)', () => {
  let system: EventsSystem;

  beforeAll(async () => {
    await buildServices();
    // Polling longer than the suite: every event published here was started by its commit (outbox trigger).
    system = await EventsSystem.start({ pollIntervalMs: 300_000 });
  });
  afterAll(async () => {
    expect(await system?.stop()).toEqual([0, 0]); // both shut down cleanly on SIGTERM
  });

  it("deleting a user cancels that user's open orders, announces each, and refuses new orders", async () => {
    const doomed = await system.userWithOrders(2);
    const bystander = await system.userWithOrders(1);
    const closedEarlier = await system.orders.createOrder({
      userId: doomed.userId,
      idempotencyKey: 'closed',
      items: [{ sku: 'SKU-2', quantity: 1, unitPriceCents: 5n }],
    });
    await system.orders.cancelOrder({ id: closedEarlier.id });

    const cancelled = system.cancellations(doomed.orderIds);
    await system.users.deleteUser({ id: doomed.userId });
    await cancelled;

    const [deleted] = system.tap
      .ofType(EVENTS.userDeleted.type)
      .filter((m) => m.properties.appId === 'user-service' && EVENTS.userDeleted.decode(m.content).userId === doomed.userId);
    expect(deleted?.properties).toMatchObject({ contentType: 'application/x-protobuf', appId: 'user-service', deliveryMode: 2 });
    const { orders } = await system.orders.listOrders({ userId: doomed.userId, pageSize: 10, pageToken: '' });
    expect(orders.map((o) => [o.id, o.status])).toEqual([
      ...doomed.orderIds.map((id) => [id, orderV1.OrderStatus.CANCELLED]),
      [closedEarlier.id, orderV1.OrderStatus.CANCELLED],
    ]);
    const reasons = system.tap
      .ofType(EVENTS.orderCancelled.type)
      .map((m) => EVENTS.orderCancelled.decode(m.content))
      .filter((e) => e.userId === doomed.userId)
      .map((e) => [e.orderId, e.reason]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        [closedEarlier.id, orderEventsV1.CancelReason.REQUESTED],
        ...doomed.orderIds.map((id) => [id, orderEventsV1.CancelReason.USER_DELETED]),
      ]),
    );
    expect(reasons).toHaveLength(3);
    expect((await system.orders.getOrder({ id: bystander.orderIds[0]! })).status).toBe(orderV1.OrderStatus.CREATED);

    const refused = await failure(
      system.orders.createOrder({ userId: doomed.userId, idempotencyKey: 'late', items: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 1n }] }),
    );
    expect(refused).toEqual({ code: status.FAILED_PRECONDITION, details: expect.stringMatching(/user .* (does not exist|was deleted)/) });
  });

  it('refuses orders for a user whose UserDeleted arrived before user-service answers NOT_FOUND', async () => {
    // The event wins the race against CreateOrder's check with user-service:
    // simulated by publishing UserDeleted for a user user-service still has.
    const user = await system.userWithOrders(1);
    const { content, properties } = userDeletedMessage(user.userId);
    const cancelled = system.cancellations(user.orderIds);
    await system.tap.publish(EVENTS.userDeleted.routingKey, content, properties);
    await cancelled;

    expect((await system.users.getUser({ id: user.userId })).id).toBe(user.userId);
    const refused = await failure(
      system.orders.createOrder({ userId: user.userId, idempotencyKey: 'new', items: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 1n }] }),
    );
    expect(refused).toEqual({ code: status.FAILED_PRECONDITION, details: `user ${user.userId} was deleted; no order was written` });
  });

  it('applies a UserDeleted delivered twice only once', async () => {
    const user = await system.userWithOrders(2);
    const message = userDeletedMessage(user.userId);
    const cancelled = system.cancellations(user.orderIds);
    const duplicateSeen = waitForLog(system.orderService, `${message.eventId} was already processed`);
    await system.tap.publish(EVENTS.userDeleted.routingKey, message.content, message.properties);
    await system.tap.publish(EVENTS.userDeleted.routingKey, message.content, message.properties);
    await Promise.all([cancelled, duplicateSeen]);

    const announced = await system.orderDb.query<{ payload: Buffer }>(
      `SELECT payload FROM outbox WHERE event_type = 'acme.order.v1.OrderCancelled'`,
    );
    const forUser = announced.map((r) => EVENTS.orderCancelled.decode(r.payload)).filter((e) => e.userId === user.userId);
    expect(forUser.map((e) => e.orderId).sort()).toEqual([...user.orderIds].sort()); // one OrderCancelled per order, not two
    expect(await system.orderDb.query('SELECT consumer FROM inbox WHERE event_id = $1', [message.eventId])).toEqual([
      { consumer: 'order-service.user-events' },
    ]);
  });

  it('dead-letters a message it cannot decode, with the reason, and goes on consuming', async () => {
    const dlq = await EventTap.open(system.vhost.url, { exchange: 'acme.events', queue: ORDER_DLQ });
    try {
      const garbageId = randomUUID();
      await system.tap.publish(EVENTS.userDeleted.routingKey, Buffer.from('\u0000garbage, not protobuf'), {
        contentType: 'application/x-protobuf',
        type: EVENTS.userDeleted.type,
        messageId: garbageId,
      });
      const [letter] = await dlq.waitFor((m) => m.properties.messageId === garbageId, 1, 'dead letter');
      expect(letter!.properties.headers).toMatchObject({
        [DEAD_LETTER_HEADERS.kind]: 'undecodable',
        [DEAD_LETTER_HEADERS.consumer]: 'order-service.user-events',
        [DEAD_LETTER_HEADERS.originalRoutingKey]: 'user.v1.deleted',
      });
      expect(String(letter!.properties.headers?.[DEAD_LETTER_HEADERS.error])).toMatch(/body is not a valid acme\.user\.v1\.UserDeleted/);

      const user = await system.userWithOrders(1);
      const cancelled = system.cancellations(user.orderIds);
      await system.users.deleteUser({ id: user.userId });
      await cancelled;
    } finally {
      await dlq.close();
    }
  });

  it('delivers every event of deletions made while the broker was unreachable, once it is back', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => system.userWithOrders(1)));
    const userLost = waitForLog(system.userServices[0]!, 'connection to');
    await system.proxy.cut();
    await userLost;

    for (const user of users) await system.users.deleteUser({ id: user.userId });
    const pending = await system.userDb.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE sent_time IS NULL');
    expect(pending[0]?.n).toBe(users.length);
    for (const user of users) expect((await system.orders.getOrder({ id: user.orderIds[0]! })).status).toBe(orderV1.OrderStatus.CREATED);

    const cancelled = system.cancellations(users.flatMap((u) => u.orderIds));
    await system.proxy.restore();
    await cancelled;
    const deletedIds = system.tap
      .ofType(EVENTS.userDeleted.type)
      .filter((m) => m.properties.appId === 'user-service') // not what this test file injected itself
      .map((m) => EVENTS.userDeleted.decode(m.content).userId);
    for (const user of users) expect(deletedIds.filter((id) => id === user.userId)).toHaveLength(1);
  });

  it('measures how long a deletion takes to cancel the orders (printed, not asserted)', async () => {
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      const user = await system.userWithOrders(3);
      const cancelled = system.cancellations(user.orderIds);
      const started = process.hrtime.bigint();
      await system.users.deleteUser({ id: user.userId });
      await cancelled;
      samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const { p50, p90, max } = summarizeLatencies(samples);
    console.log(`DeleteUser -> all 3 OrderCancelled published (ms, n=${samples.length}): p50 ${p50.toFixed(1)}, p90 ${p90.toFixed(1)}, max ${max.toFixed(1)}`);
  });
});
