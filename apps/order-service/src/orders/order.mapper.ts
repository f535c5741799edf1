import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { orderV1 } from '@acme/contracts';
import type { OrderRecord } from './orders.repository';

/**
 * The acme.order.v1.Order of a stored order. Money comes from Postgres as
 * decimal text (exact beyond 2^53) and becomes int64 here; the stored status
 * is the name of its OrderStatus value.
 */
export function toOrderMessage(order: OrderRecord): orderV1.Order {
  return create(orderV1.OrderSchema, {
    id: order.id,
    userId: order.userId,
    items: order.items.map((item) => ({ sku: item.sku, quantity: item.quantity, unitPriceCents: BigInt(item.unitPriceCents) })),
    totalCents: BigInt(order.totalCents),
    status: orderV1.OrderStatus[order.status],
    createTime: timestampFromDate(order.createTime),
    updateTime: timestampFromDate(order.updateTime),
  });
}
