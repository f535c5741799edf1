import { Injectable } from '@nestjs/common';
import { orderEventsV1 } from '@acme/contracts';
import { Database } from '@acme/persistence';
import { appendToOutbox, outboxInsertSql, outboxInsertValues, type EventTransaction } from '@acme/messaging';
import { orderCancelledEvent, orderCreatedEvent } from '../outbox/order-events';
import type { OrderStatusValue } from './order.entity';
import { type NewOrder, UserDeletedError } from './order-rules';

/** An order with its items, as read from the database: int64 as decimal text, as pg returns bigint. */
export interface OrderRecord {
  readonly id: string;
  readonly userId: string;
  readonly idempotencyKey: string;
  readonly requestHash: string;
  readonly status: OrderStatusValue;
  readonly totalCents: string;
  readonly items: readonly StoredLine[];
  readonly createTime: Date;
  readonly updateTime: Date;
}

export interface StoredLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: string;
}

// Orders with their items in one statement. Money leaves Postgres as text:
// json numbers would lose precision above 2^53 once parsed in JavaScript.
export const SELECT_ORDERS = `
  SELECT o.id, o.user_id AS "userId", o.idempotency_key AS "idempotencyKey", o.request_hash AS "requestHash",
         o.status, o.total_cents::text AS "totalCents", o.create_time AS "createTime", o.update_time AS "updateTime",
         (SELECT coalesce(json_agg(json_build_object('sku', i.sku, 'quantity', i.quantity,
                                                     'unitPriceCents', i.unit_price_cents::text)
                                   ORDER BY i.position), '[]'::json)
            FROM order_items i WHERE i.order_id = o.id) AS items
    FROM orders o`;

/**
 * The order, its items and its OrderCreated row in one statement, which is
 * its own transaction: nothing when the user is deleted (reported) or the
 * idempotency key is taken (by a concurrent call that committed first).
 * lock_user_orders (see its migration) takes the per-user lock the UserDeleted
 * handler also takes, then reads the tombstone.
 */
const INSERT_ORDER = `WITH gone AS (
     SELECT lock_user_orders($2::uuid) AS deleted
   ), new_order AS (
     INSERT INTO orders (id, user_id, idempotency_key, request_hash, status, total_cents)
     SELECT $1::uuid, $2::uuid, $3::text, $4::text, 'CREATED', $5::bigint
       FROM gone WHERE NOT gone.deleted
     ON CONFLICT ON CONSTRAINT orders_user_id_idempotency_key_key DO NOTHING
     RETURNING id, create_time, update_time
   ), new_items AS (
     INSERT INTO order_items (order_id, position, sku, quantity, unit_price_cents)
     SELECT new_order.id, item.position, item.sku, item.quantity, item.unit_price_cents
       FROM new_order,
            unnest($6::text[], $7::integer[], $8::bigint[]) WITH ORDINALITY
              AS item (sku, quantity, unit_price_cents, position)
   ), new_event AS (
     ${outboxInsertSql('new_order', 9)}
   )
   SELECT gone.deleted AS "userDeleted", new_order.create_time AS "createTime", new_order.update_time AS "updateTime"
     FROM gone LEFT JOIN new_order ON true`;

const FIND_BY_ID = `${SELECT_ORDERS} WHERE o.id = $1`;
const FIND_BY_IDEMPOTENCY_KEY = `${SELECT_ORDERS} WHERE o.user_id = $1 AND o.idempotency_key = $2`;
const LIST_FIRST = `${SELECT_ORDERS} WHERE o.user_id = $1 ORDER BY o.id LIMIT $2`;
const LIST_AFTER = `${SELECT_ORDERS} WHERE o.user_id = $1 AND o.id > $2 ORDER BY o.id LIMIT $3`;

/**
 * Persistence of orders. Statements are written out in SQL because their
 * shape is the point: an order, its items and its event are inserted in one
 * atomic statement that yields to a concurrent insert with the same
 * idempotency key, and reads fetch an order with its items in one round trip.
 */
@Injectable()
export class OrdersRepository {
  constructor(private readonly db: Database) {}

  /**
   * Inserts the order, its items and its OrderCreated outbox row in one
   * statement. Returns undefined, writing nothing (no event either), when
   * this user already has an order with this idempotency key (also one
   * committed by a concurrent call an instant earlier). Throws
   * UserDeletedError when the user was deleted.
   */
  async insert(id: string, order: NewOrder): Promise<OrderRecord | undefined> {
    const event = orderCreatedEvent({ id, userId: order.userId, totalCents: order.totalCents });
    // Money is bound as decimal text, which the statement casts to bigint; the record is then what a read returns.
    const stored = {
      ...order,
      totalCents: order.totalCents.toString(),
      items: order.items.map((item): StoredLine => ({ ...item, unitPriceCents: item.unitPriceCents.toString() })),
    };
    const [row] = await this.db.query<{ userDeleted: boolean; createTime: Date | null; updateTime: Date | null }>(INSERT_ORDER, [
      id,
      order.userId,
      order.idempotencyKey,
      order.requestHash,
      stored.totalCents,
      stored.items.map((i) => i.sku),
      stored.items.map((i) => i.quantity),
      stored.items.map((i) => i.unitPriceCents),
      ...outboxInsertValues(event),
    ]);
    if (row?.userDeleted) throw new UserDeletedError(order.userId);
    if (!row?.createTime || !row.updateTime) return undefined;
    return { id, ...stored, status: 'CREATED' as const, createTime: row.createTime, updateTime: row.updateTime };
  }

  async findById(id: string): Promise<OrderRecord | undefined> {
    const [row] = await this.db.query<OrderRecord>(FIND_BY_ID, [id]);
    return row;
  }

  async findByIdempotencyKey(userId: string, idempotencyKey: string): Promise<OrderRecord | undefined> {
    const [row] = await this.db.query<OrderRecord>(FIND_BY_IDEMPOTENCY_KEY, [userId, idempotencyKey]);
    return row;
  }

  /** Up to `limit` of the user's orders with id greater than `afterId`, in id (= creation) order. */
  listByUser(userId: string, afterId: string | undefined, limit: number): Promise<OrderRecord[]> {
    return afterId === undefined
      ? this.db.query(LIST_FIRST, [userId, limit])
      : this.db.query(LIST_AFTER, [userId, afterId, limit]);
  }

  /**
   * Moves an open order to CANCELLED and records OrderCancelled, in one
   * transaction. 'cancelled' when it did, 'not-open' when the order exists but
   * is already cancelled, 'missing' when there is none.
   */
  async cancel(id: string): Promise<'cancelled' | 'not-open' | 'missing'> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ cancelledUserId: string | null }>(
        `WITH updated AS (
           UPDATE orders SET status = 'CANCELLED', update_time = now()
            WHERE id = $1 AND status = 'CREATED'
           RETURNING user_id
         )
         SELECT (SELECT user_id FROM updated) AS "cancelledUserId" FROM orders WHERE id = $1`,
        [id],
      );
      const row = rows[0];
      if (!row) return 'missing';
      if (row.cancelledUserId === null) return 'not-open';
      await appendToOutbox(tx, [orderCancelledEvent({ id, userId: row.cancelledUserId }, orderEventsV1.CancelReason.REQUESTED)]);
      return 'cancelled';
    });
  }

  /**
   * The user was deleted: remember it (so CreateOrder refuses the user from
   * now on) and cancel every open order of theirs, recording OrderCancelled
   * for each. Runs in the caller's transaction (the event consumer's, which
   * also records the event as processed). Returns the cancelled order ids.
   */
  async cancelOrdersOfDeletedUser(tx: EventTransaction, deletion: { userId: string; deleteTime: Date; eventId: string }): Promise<string[]> {
    // The per-user lock CreateOrder's insert also takes (see INSERT_ORDER).
    await tx.query('SELECT lock_user_orders($1::uuid)', [deletion.userId]);
    await tx.query(
      `INSERT INTO deleted_users (user_id, delete_time, event_id) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO NOTHING RETURNING user_id`,
      [deletion.userId, deletion.deleteTime, deletion.eventId],
    );
    const cancelled = await tx.query<{ id: string }>(
      `WITH cancelled AS (
         UPDATE orders SET status = 'CANCELLED', update_time = now()
          WHERE user_id = $1 AND status = 'CREATED'
         RETURNING id
       ) SELECT id FROM cancelled ORDER BY id`,
      [deletion.userId],
    );
    const ids = cancelled.map((o) => o.id);
    await appendToOutbox(
      tx,
      ids.map((id) => orderCancelledEvent({ id, userId: deletion.userId }, orderEventsV1.CancelReason.USER_DELETED)),
    );
    return ids;
  }
}
