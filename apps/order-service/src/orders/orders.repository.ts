import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { OrderStatusValue } from './order.entity';
import type { NewOrder, OrderLine } from './order-rules';

/** An order with its items, as read from the database. */
export interface OrderRecord {
  readonly id: string;
  readonly userId: string;
  readonly idempotencyKey: string;
  readonly requestHash: string;
  readonly status: OrderStatusValue;
  readonly totalCents: string;
  readonly items: readonly OrderLine[];
  readonly createTime: Date;
  readonly updateTime: Date;
}

// Orders with their items in one statement. Money leaves Postgres as text:
// json numbers would lose precision above 2^53 once parsed in JavaScript.
const SELECT_ORDERS = `
  SELECT o.id, o.user_id AS "userId", o.idempotency_key AS "idempotencyKey", o.request_hash AS "requestHash",
         o.status, o.total_cents::text AS "totalCents", o.create_time AS "createTime", o.update_time AS "updateTime",
         (SELECT coalesce(json_agg(json_build_object('sku', i.sku, 'quantity', i.quantity,
                                                     'unitPriceCents', i.unit_price_cents::text)
                                   ORDER BY i.position), '[]'::json)
            FROM order_items i WHERE i.order_id = o.id) AS items
    FROM orders o`;

/**
 * Persistence of orders. Statements are written out in SQL (through TypeORM's
 * connection pool) because their shape is the point: an order and its items
 * are inserted in one atomic statement that yields to a concurrent insert
 * with the same idempotency key, and reads fetch an order with its items in
 * one round trip.
 */
@Injectable()
export class OrdersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Inserts the order and its items atomically. Returns undefined, writing
   * nothing, when this user already has an order with this idempotency key
   * (also one committed by a concurrent call an instant earlier).
   */
  async insert(id: string, order: NewOrder): Promise<OrderRecord | undefined> {
    const rows: { createTime: Date; updateTime: Date }[] = await this.db.query(
      `WITH new_order AS (
         INSERT INTO orders (id, user_id, idempotency_key, request_hash, status, total_cents)
         VALUES ($1, $2, $3, $4, 'CREATED', $5)
         ON CONFLICT ON CONSTRAINT orders_user_id_idempotency_key_key DO NOTHING
         RETURNING id, create_time, update_time
       ), new_items AS (
         INSERT INTO order_items (order_id, position, sku, quantity, unit_price_cents)
         SELECT new_order.id, item.position, item.sku, item.quantity, item.unit_price_cents
           FROM new_order,
                unnest($6::text[], $7::integer[], $8::bigint[]) WITH ORDINALITY
                  AS item (sku, quantity, unit_price_cents, position)
       )
       SELECT create_time AS "createTime", update_time AS "updateTime" FROM new_order`,
      [
        id,
        order.userId,
        order.idempotencyKey,
        order.requestHash,
        order.totalCents,
        order.items.map((i) => i.sku),
        order.items.map((i) => i.quantity),
        order.items.map((i) => i.unitPriceCents),
      ],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { id, ...order, status: 'CREATED', createTime: row.createTime, updateTime: row.updateTime };
  }

  async findById(id: string): Promise<OrderRecord | undefined> {
    const rows: OrderRecord[] = await this.db.query(`${SELECT_ORDERS} WHERE o.id = $1`, [id]);
    return rows[0];
  }

  async findByIdempotencyKey(userId: string, idempotencyKey: string): Promise<OrderRecord | undefined> {
    const rows: OrderRecord[] = await this.db.query(`${SELECT_ORDERS} WHERE o.user_id = $1 AND o.idempotency_key = $2`, [
      userId,
      idempotencyKey,
    ]);
    return rows[0];
  }

  /** Up to `limit` of the user's orders with id greater than `afterId`, in id (= creation) order. */
  listByUser(userId: string, afterId: string | undefined, limit: number): Promise<OrderRecord[]> {
    return afterId === undefined
      ? this.db.query(`${SELECT_ORDERS} WHERE o.user_id = $1 ORDER BY o.id LIMIT $2`, [userId, limit])
      : this.db.query(`${SELECT_ORDERS} WHERE o.user_id = $1 AND o.id > $2 ORDER BY o.id LIMIT $3`, [userId, afterId, limit]);
  }

  /**
   * Moves an open order to CANCELLED. 'cancelled' when it did, 'not-open' when
   * the order exists but is already cancelled, 'missing' when there is none.
   */
  async cancel(id: string): Promise<'cancelled' | 'not-open' | 'missing'> {
    const rows: { cancelled: boolean }[] = await this.db.query(
      `WITH updated AS (
         UPDATE orders SET status = 'CANCELLED', update_time = now()
          WHERE id = $1 AND status = 'CREATED'
         RETURNING id
       )
       SELECT EXISTS (SELECT 1 FROM updated) AS cancelled FROM orders WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return 'missing';
    return row.cancelled ? 'cancelled' : 'not-open';
  }
}
