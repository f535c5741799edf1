import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { v7 as uuidv7 } from 'uuid';
import { EVENTS, type orderEventsV1 } from '@acme/contracts';
import { outboxEvent, type OutboxEvent } from '@acme/messaging';

/** The acme.order.v1.OrderCreated outbox row for an order accepted now. */
export function orderCreatedEvent(order: { id: string; userId: string; totalCents: bigint }, occurTime = new Date()): OutboxEvent {
  return outboxEvent(
    EVENTS.orderCreated,
    EVENTS.orderCreated.create({
      eventId: uuidv7(),
      orderId: order.id,
      userId: order.userId,
      totalCents: order.totalCents,
      occurTime: timestampFromDate(occurTime),
    }),
  );
}

/** The acme.order.v1.OrderCancelled outbox row for an order cancelled now. */
export function orderCancelledEvent(
  order: { id: string; userId: string },
  reason: orderEventsV1.CancelReason,
  occurTime = new Date(),
): OutboxEvent {
  return outboxEvent(
    EVENTS.orderCancelled,
    EVENTS.orderCancelled.create({
      eventId: uuidv7(),
      orderId: order.id,
      userId: order.userId,
      reason,
      occurTime: timestampFromDate(occurTime),
    }),
  );
}
