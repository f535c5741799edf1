import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { EVENTS, type userEventsV1 } from '@acme/contracts';
import { requireUuid } from '@acme/grpc-kit';
import { type DeliveryInfo, type EventHandler, type EventTransaction, RejectEventError } from '@acme/messaging';
import { OrdersRepository } from '../orders/orders.repository';

/**
 * acme.user.v1.UserDeleted: every open order of the user is cancelled (each
 * announced with OrderCancelled), and the user is remembered as deleted so
 * that CreateOrder refuses them from now on. Runs inside the consumer's
 * transaction, which also records the event id in the inbox: applied once.
 */
@Injectable()
export class UserDeletedHandler implements EventHandler<userEventsV1.UserDeleted> {
  readonly contract = EVENTS.userDeleted;

  constructor(private readonly orders: OrdersRepository) {}

  async handle(event: userEventsV1.UserDeleted, tx: EventTransaction, delivery: DeliveryInfo): Promise<void> {
    let userId: string;
    try {
      userId = requireUuid(event.userId, 'user_id');
    } catch (error) {
      throw new RejectEventError(error instanceof Error ? error.message : String(error));
    }
    // Old or foreign publishers may leave occur_time out; the delivery is the best estimate then.
    const deleteTime = event.occurTime ? timestampDate(event.occurTime) : new Date();
    await this.orders.cancelOrdersOfDeletedUser(tx, { userId, deleteTime, eventId: delivery.eventId });
  }
}
