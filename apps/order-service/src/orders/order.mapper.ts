import { orderV1, toTimestamp } from '@acme/contracts';
import type { OrderRecord } from './orders.repository';

const STATUS = {
  CREATED: orderV1.OrderStatus.ORDER_STATUS_CREATED,
  CANCELLED: orderV1.OrderStatus.ORDER_STATUS_CANCELLED,
} as const;

export function toOrderMessage(order: OrderRecord): orderV1.Order {
  return {
    id: order.id,
    userId: order.userId,
    items: order.items.map((item) => ({ sku: item.sku, quantity: item.quantity, unitPriceCents: item.unitPriceCents })),
    totalCents: order.totalCents,
    status: STATUS[order.status],
    createTime: toTimestamp(order.createTime),
    updateTime: toTimestamp(order.updateTime),
  };
}
