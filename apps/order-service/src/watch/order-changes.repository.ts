import { Injectable } from '@nestjs/common';
import { Database } from '@acme/persistence';
import { type OrderRecord, SELECT_ORDERS } from '../orders/orders.repository';
import { CHANGE_RETENTION } from './watch-limits';

export type ChangeKind = 'CREATED' | 'CANCELLED';

/** One row of order_changes with the order it is about. seq is bigint as decimal text. */
export interface OrderChange {
  readonly seq: string;
  readonly userId: string;
  readonly kind: ChangeKind;
  readonly changeTime: Date;
  readonly order: OrderRecord;
}

const SELECT_CHANGES = `
  SELECT c.seq::text AS seq, c.user_id AS "userId", c.kind, c.change_time AS "changeTime", row_to_json(o) AS "order"
    FROM order_changes c JOIN (${SELECT_ORDERS}) o ON o.id = c.order_id`;

// One statement, so one snapshot: the open orders and the last change seq agree.
const SNAPSHOT = `
  SELECT s.seq, row_to_json(o) AS "order"
    FROM (SELECT coalesce(max(seq), 0)::text AS seq FROM order_changes) s
    LEFT JOIN (${SELECT_ORDERS} WHERE o.user_id = $1 AND o.status = 'CREATED') o ON true
   ORDER BY o.id`;

const PRUNE = `
  WITH pruned AS (DELETE FROM order_changes WHERE change_time < now() - $1::interval RETURNING seq)
  UPDATE order_changes_horizon SET pruned_through = greatest(pruned_through, (SELECT max(seq) FROM pruned))
   WHERE EXISTS (SELECT 1 FROM pruned) RETURNING pruned_through::text AS "prunedThrough"`;

/** Reads of the change feed (its rows are written by a trigger on orders, see the create-order-changes migration). */
@Injectable()
export class OrderChangesRepository {
  constructor(private readonly db: Database) {}

  /** The user's open orders and the seq of the last change they reflect. */
  async snapshot(userId: string): Promise<{ seq: string; orders: OrderRecord[] }> {
    const rows = await this.db.query<{ seq: string; order: RawOrder | null }>(SNAPSHOT, [userId]);
    return { seq: rows[0]?.seq ?? '0', orders: rows.flatMap((row) => (row.order ? [orderOf(row.order)] : [])) };
  }

  /** The user's changes after `seq`, oldest first, at most `limit`. */
  async userChangesAfter(userId: string, seq: string, limit: number): Promise<OrderChange[]> {
    const rows = await this.db.query<RawChange>(`${SELECT_CHANGES} WHERE c.user_id = $1 AND c.seq > $2::bigint ORDER BY c.seq LIMIT $3`, [userId, seq, limit]);
    return rows.map(changeOf);
  }

  /** Everyone's changes after `seq`, oldest first, at most `limit` (what each replica's feed dispatches). */
  async changesAfter(seq: string, limit: number): Promise<OrderChange[]> {
    const rows = await this.db.query<RawChange>(`${SELECT_CHANGES} WHERE c.seq > $1::bigint ORDER BY c.seq LIMIT $2`, [seq, limit]);
    return rows.map(changeOf);
  }

  async latestSeq(): Promise<string> {
    const [row] = await this.db.query<{ seq: string }>(`SELECT coalesce(max(seq), 0)::text AS seq FROM order_changes`);
    return row?.seq ?? '0';
  }

  /** Changes up to and including this seq are gone: a resume token below it cannot be replayed. */
  async prunedThrough(): Promise<string> {
    const [row] = await this.db.query<{ prunedThrough: string }>(`SELECT pruned_through::text AS "prunedThrough" FROM order_changes_horizon`);
    return row?.prunedThrough ?? '0';
  }

  /** Deletes changes older than the retention. */
  async prune(): Promise<void> {
    await this.db.query(PRUNE, [CHANGE_RETENTION]);
  }
}

/** An order as row_to_json gives it: timestamps as ISO text. */
type RawOrder = Omit<OrderRecord, 'createTime' | 'updateTime'> & { createTime: string; updateTime: string };
type RawChange = Omit<OrderChange, 'order'> & { order: RawOrder };

const orderOf = (raw: RawOrder): OrderRecord => ({ ...raw, createTime: new Date(raw.createTime), updateTime: new Date(raw.updateTime) });
const changeOf = (raw: RawChange): OrderChange => ({ ...raw, order: orderOf(raw.order) });
