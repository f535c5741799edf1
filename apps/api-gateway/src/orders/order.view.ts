import { orderV1 } from '@acme/contracts';
import { rfc3339 } from '../http/json-values';

/** The generated enum's value names, with the ORDER_STATUS_ prefix protobuf-es strips: 'CREATED', ... */
export type OrderStatusName = keyof typeof orderV1.OrderStatus;

/** An order as the REST API shows it. int64 amounts are decimal strings: JSON numbers lose precision above 2^53. */
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

// The enum's reverse mapping names each known value; a value this build does
// not know (proto3 enums are open: a newer order-service may send one) is UNSPECIFIED.
const statusName = (status: orderV1.OrderStatus): OrderStatusName =>
  (orderV1.OrderStatus[status] as OrderStatusName | undefined) ?? 'UNSPECIFIED';

export const orderView = (order: orderV1.Order): OrderView => ({
  id: order.id,
  userId: order.userId,
  items: order.items.map((item) => ({ sku: item.sku, quantity: item.quantity, unitPriceCents: String(item.unitPriceCents) })),
  totalCents: String(order.totalCents),
  status: statusName(order.status),
  createTime: rfc3339(order.createTime),
  updateTime: rfc3339(order.updateTime),
});

export const orderPageView = (page: orderV1.ListOrdersResponse): OrderPageView => ({
  orders: page.orders.map(orderView),
  nextPageToken: page.nextPageToken || null,
});
