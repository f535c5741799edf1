import { create } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { orderV1 } from '@acme/contracts';
import { StatusError } from '@acme/grpc-kit';
import { toOrderMessage } from '../orders/order.mapper';
import type { OrderRecord } from '../orders/orders.repository';
import type { OrderChange } from './order-changes.repository';

const Kind = orderV1.OrderUpdate_Kind;

/** The update of a change: the order as the change left it (its status is the change's; it may have changed again since). */
export function updateOf(change: OrderChange): orderV1.OrderUpdate {
  const order = toOrderMessage({ ...change.order, status: change.kind, updateTime: change.changeTime });
  return create(orderV1.OrderUpdateSchema, {
    kind: change.kind === 'CREATED' ? Kind.CREATED : Kind.CANCELLED,
    order,
    resumeToken: change.seq,
  });
}

/** One open order of a snapshot. */
export const snapshotUpdate = (order: OrderRecord): orderV1.OrderUpdate => create(orderV1.OrderUpdateSchema, { kind: Kind.SNAPSHOT, order: toOrderMessage(order) });

/** The end of a snapshot, with the token to resume after it. */
export const snapshotEnd = (resumeToken: string): orderV1.OrderUpdate => create(orderV1.OrderUpdateSchema, { kind: Kind.SNAPSHOT_END, resumeToken });

/** How a stream ends whose client fell `limit` updates behind. */
export const fellBehind = (limit: number): StatusError =>
  new StatusError(status.RESOURCE_EXHAUSTED, `this stream fell ${limit} updates behind (the client reads too slowly): resubscribe with the last resume_token`);
