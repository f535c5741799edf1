import { orderV1 } from '@acme/contracts';
import { rfc3339 } from '../http/json-values';

export type OrderStatusName = 'CREATED' | 'CANCELLED' | 'UNSPECIFIED';

/** An order as the REST API shows it. int64 amounts stay decimal strings end to end. */
export interface OrderView {
  id: string;
  userId: string;
  items: { sku: string; quantity: number; unitPriceCents: string }[];
  totalCents: string;
  status: OrderStatusName;
  createTime: string;
  updateTime: string;
}

export interface OrderPageView {
  orders: OrderView[];
  nextPageToken: string | null;
}

const STATUS_NAMES: Partial<Record<orderV1.OrderStatus, OrderStatusName>> = {
  [orderV1.OrderStatus.ORDER_STATUS_CREATED]: 'CREATED',
  [orderV1.OrderStatus.ORDER_STATUS_CANCELLED]: 'CANCELLED',
};

export const orderView = (order: orderV1.Order): OrderView => ({
  id: order.id,
  userId: order.userId,
  items: order.items.map((item) => ({ sku: item.sku, quantity: item.quantity, unitPriceCents: item.unitPriceCents })),
  totalCents: order.totalCents,
  status: STATUS_NAMES[order.status] ?? 'UNSPECIFIED',
  createTime: rfc3339(order.createTime),
  updateTime: rfc3339(order.updateTime),
});

export const orderPageView = (page: orderV1.ListOrdersResponse): OrderPageView => ({
  orders: page.orders.map(orderView),
  nextPageToken: page.nextPageToken || null,
});
