import { v7 as uuidv7 } from 'uuid';
import { EVENTS, orderEventsV1, toTimestamp } from '@acme/contracts';
import { outboxEvent, type OutboxEvent } from '@acme/messaging';

/** The acme.order.v1.OrderCreated outbox row for an order accepted now. */
export function orderCreatedEvent(order: { id: string; userId: string; totalCents: string }, occurTime = new Date()): OutboxEvent {
  return outboxEvent(
    EVENTS.orderCreated,
    orderEventsV1.OrderCreated.create({
      eventId: uuidv7(),
      orderId: order.id,
      userId: order.userId,
      totalCents: order.totalCents,
      occurTime: toTimestamp(occurTime),
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
    orderEventsV1.OrderCancelled.create({
      eventId: uuidv7(),
      orderId: order.id,
      userId: order.userId,
      reason,
      occurTime: toTimestamp(occurTime),
    }),
  );
}
