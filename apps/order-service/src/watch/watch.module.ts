import { Module } from '@nestjs/common';
import { OrderChangeFeed } from './order-change-feed';
import { OrderChangesRepository } from './order-changes.repository';
import { OrderWatchService } from './order-watch.service';
import { UsersModule } from '../users/users.module';

/** WatchOrders' change feed: order_changes, read once per replica and fanned out to its watchers. */
@Module({
  imports: [UsersModule],
  providers: [OrderChangesRepository, OrderChangeFeed, OrderWatchService],
  exports: [OrderWatchService, OrderChangeFeed],
})
export class WatchModule {}
