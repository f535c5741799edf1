import { createHash } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { credentials, makeClientConstructor, status, type Client, type sendUnaryData, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { EVENTS, grpcServiceDefinition, INT64_MAX, orderV1, SERVICES, type RequestInitOf, type ResponseInitOf } from '@acme/contracts';
import { databaseFailure, env, fail, pool, ruleViolation, serve } from './server';

// Baseline OrderService.CreateOrder: raw @grpc/grpc-js + pg, no framework.
// Same steps and SQL effects as order-service: validate (the proto's field
// rules, with protovalidate, then the total), replay a previous order with the
// same idempotency key, ask the user server (gRPC, with a deadline) whether
// the user exists, then write the order, its items and (when the schema has
// an outbox) its OrderCreated event in one statement.
// When the schema records deleted users, the insert also refuses them, under
// the same per-user advisory lock, in a transaction (as order-service must
// for correctness: the lock has to be held before the statement's snapshot).

type UserClient = Client & {
  GetUser(request: RequestInitOf<typeof SERVICES.user, 'getUser'>, options: { deadline: number }, callback: (error: ServiceError | null) => void): void;
};
const UserClientConstructor = makeClientConstructor(grpcServiceDefinition(SERVICES.user), 'UserService');
const users = new UserClientConstructor(env('USER_SERVICE_URL'), credentials.createInsecure()) as unknown as UserClient;
const USER_DEADLINE_MS = Number(env('USER_SERVICE_DEADLINE_MS', '1000'));


class Refusal extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** A valid request in the persistence form: int64s as decimal strings, as pg reads and writes bigint. */
interface NewOrder {
  userId: string;
  idempotencyKey: string;
  items: { sku: string; quantity: number; unitPriceCents: string }[];
  totalCents: string;
  requestHash: string;
}

function validate(request: orderV1.CreateOrderRequest): NewOrder {
  const invalid = ruleViolation(orderV1.CreateOrderRequestSchema, request);
  if (invalid) throw new Refusal(status.INVALID_ARGUMENT, invalid);
  let total = 0n;
  const items = request.items.map((item) => {
    total += BigInt(item.quantity) * item.unitPriceCents;
    return { sku: item.sku, quantity: item.quantity, unitPriceCents: item.unitPriceCents.toString() };
  });
  if (total > INT64_MAX) throw new Refusal(status.INVALID_ARGUMENT, 'items: total does not fit in int64');
  const requestHash = createHash('sha256')
    .update(JSON.stringify(items.map((i) => [i.sku, i.quantity, i.unitPriceCents])))
    .digest('base64url');
  return { userId: request.userId.toLowerCase(), idempotencyKey: request.idempotencyKey, items, totalCents: total.toString(), requestHash };
}

interface OrderRow {
  id: string;
  userId: string;
  requestHash: string;
  status: 'CREATED' | 'CANCELLED';
  totalCents: string;
  createTime: Date;
  updateTime: Date;
  items: { sku: string; quantity: number; unitPriceCents: string }[];
}

const SELECT_BY_KEY = `
  SELECT o.id, o.user_id AS "userId", o.request_hash AS "requestHash", o.status, o.total_cents::text AS "totalCents",
         o.create_time AS "createTime", o.update_time AS "updateTime",
         (SELECT coalesce(json_agg(json_build_object('sku', i.sku, 'quantity', i.quantity, 'unitPriceCents', i.unit_price_cents::text)
                                   ORDER BY i.position), '[]'::json)
            FROM order_items i WHERE i.order_id = o.id) AS items
    FROM orders o WHERE o.user_id = $1 AND o.idempotency_key = $2`;

/** Which parts of order-service's schema exist (the baseline follows its migrations). */
const schema = pool
  .query<{ outbox: boolean; tombstones: boolean }>(
    `SELECT to_regclass('outbox') IS NOT NULL AS outbox, to_regclass('deleted_users') IS NOT NULL AS tombstones`,
  )
  .then(({ rows: [row] }) => ({ outbox: row?.outbox === true, tombstones: row?.tombstones === true }));

function insertSql(outbox: boolean, tombstones: boolean): string {
  const gone = tombstones ? 'SELECT 1 FROM deleted_users WHERE user_id = $2' : 'SELECT 1 WHERE false';
  const event = outbox
    ? `, new_event AS (
         INSERT INTO outbox (event_id, event_type, routing_key, payload)
         SELECT $9::uuid, $10::text, $11::text, $12::bytea FROM new_order)`
    : '';
  return `
    WITH gone AS (${gone}),
    new_order AS (
      INSERT INTO orders (id, user_id, idempotency_key, request_hash, status, total_cents)
      SELECT $1::uuid, $2::uuid, $3::text, $4::text, 'CREATED', $5::bigint WHERE NOT EXISTS (SELECT 1 FROM gone)
      ON CONFLICT ON CONSTRAINT orders_user_id_idempotency_key_key DO NOTHING
      RETURNING id, create_time, update_time
    ), new_items AS (
      INSERT INTO order_items (order_id, position, sku, quantity, unit_price_cents)
      SELECT new_order.id, item.position, item.sku, item.quantity, item.unit_price_cents
        FROM new_order, unnest($6::text[], $7::integer[], $8::bigint[]) WITH ORDINALITY AS item (sku, quantity, unit_price_cents, position)
    )${event}
    SELECT EXISTS (SELECT 1 FROM gone) AS "userDeleted", new_order.create_time AS "createTime", new_order.update_time AS "updateTime"
      FROM (SELECT 1) AS one LEFT JOIN new_order ON true`;
}

interface InsertRow {
  userDeleted: boolean;
  createTime: Date | null;
  updateTime: Date | null;
}

async function insert(id: string, order: NewOrder): Promise<InsertRow | undefined> {
  const { outbox, tombstones } = await schema;
  const params: unknown[] = [
    id, order.userId, order.idempotencyKey, order.requestHash, order.totalCents,
    order.items.map((i) => i.sku), order.items.map((i) => i.quantity), order.items.map((i) => i.unitPriceCents),
  ];
  if (outbox) {
    const event = EVENTS.orderCreated;
    const payload = event.encode(
      event.create({ eventId: uuidv7(), orderId: id, userId: order.userId, totalCents: BigInt(order.totalCents), occurTime: timestampFromDate(new Date()) }),
    );
    params.push(uuidv7(), event.type, event.routingKey, Buffer.from(payload));
  }
  const sql = insertSql(outbox, tombstones);
  if (!tombstones) return (await pool.query<InsertRow>(sql, params)).rows[0];
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2::text))', [0x6f726472, order.userId]);
    const row = (await client.query<InsertRow>(sql, params)).rows[0];
    await client.query('COMMIT');
    return row;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function assertUserExists(userId: string): Promise<void> {
  return new Promise((resolve, reject) =>
    users.GetUser({ id: userId }, { deadline: Date.now() + USER_DEADLINE_MS }, (error) => {
      if (!error) return resolve();
      if (error.code === status.NOT_FOUND) return reject(new Refusal(status.FAILED_PRECONDITION, `user ${userId} does not exist`));
      if (error.code === status.DEADLINE_EXCEEDED) return reject(new Refusal(status.DEADLINE_EXCEEDED, 'user server did not answer in time'));
      reject(new Refusal(status.UNAVAILABLE, `user server: ${error.details}`));
    }),
  );
}

type OrderInit = ResponseInitOf<typeof SERVICES.order, 'createOrder'>;

function toOrder(row: Omit<OrderRow, 'requestHash'>): OrderInit {
  return {
    id: row.id,
    userId: row.userId,
    items: row.items.map((item) => ({ sku: item.sku, quantity: item.quantity, unitPriceCents: BigInt(item.unitPriceCents) })),
    totalCents: BigInt(row.totalCents),
    status: orderV1.OrderStatus[row.status],
    createTime: timestampFromDate(row.createTime),
    updateTime: timestampFromDate(row.updateTime),
  };
}

/** A named prepared statement, as order-service's repository uses for its reads (its writes are not prepared). */
async function findByKey(order: NewOrder): Promise<OrderRow | undefined> {
  return (await pool.query<OrderRow>({ name: 'orders.find-by-idempotency-key', text: SELECT_BY_KEY, values: [order.userId, order.idempotencyKey] })).rows[0];
}

function replay(stored: OrderRow, order: NewOrder): OrderInit {
  if (stored.requestHash !== order.requestHash) {
    throw new Refusal(status.FAILED_PRECONDITION, `idempotency_key was already used for order ${stored.id} with different items`);
  }
  return toOrder(stored);
}

async function createOrder(request: orderV1.CreateOrderRequest): Promise<OrderInit> {
  const order = validate(request);
  const previous = await findByKey(order);
  if (previous) return replay(previous, order);
  await assertUserExists(order.userId);
  const id = uuidv7();
  const row = await insert(id, order);
  if (row?.userDeleted) throw new Refusal(status.FAILED_PRECONDITION, `user ${order.userId} was deleted; no order was written`);
  if (row?.createTime && row.updateTime) {
    return toOrder({ id, userId: order.userId, items: order.items, totalCents: order.totalCents, status: 'CREATED', createTime: row.createTime, updateTime: row.updateTime });
  }
  const winner = await findByKey(order); // a concurrent call with the same key won the insert
  if (!winner) throw new Error('idempotency conflict but no order found for the key');
  return replay(winner, order);
}

function CreateOrder(call: ServerUnaryCall<orderV1.CreateOrderRequest, OrderInit>, callback: sendUnaryData<OrderInit>): void {
  createOrder(call.request).then(
    (order) => callback(null, order),
    (error: unknown) => callback(error instanceof Refusal ? fail(error.code, error.message) : databaseFailure(error)),
  );
}

serve('baseline order server', SERVICES.order, { CreateOrder }).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
