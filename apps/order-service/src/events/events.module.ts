import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { UserDeletedHandler } from './user-deleted.handler';
import { UserEventsConsumer } from './user-events.consumer';

/** Events order-service consumes from other services. */
@Module({
  imports: [OrdersModule],
  providers: [UserDeletedHandler, UserEventsConsumer],
})
export class EventsModule {}
