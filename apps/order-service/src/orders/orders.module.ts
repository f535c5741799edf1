import { Module } from '@nestjs/common';
import { PageTokenCodec } from '@acme/persistence';
import { ORDER_SERVICE_CONFIG, type OrderServiceConfig } from '../config';
import { UsersModule } from '../users/users.module';
import { WatchModule } from '../watch/watch.module';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { ORDER_PAGE_TOKENS, OrdersService } from './orders.service';

@Module({
  imports: [UsersModule, WatchModule],
  controllers: [OrdersController],
  providers: [
    OrdersRepository,
    OrdersService,
    {
      provide: ORDER_PAGE_TOKENS,
      inject: [ORDER_SERVICE_CONFIG],
      useFactory: (config: OrderServiceConfig) => new PageTokenCodec(config.PAGE_TOKEN_SECRET, config.PAGE_TOKEN_PREVIOUS_SECRETS),
    },
  ],
  // The UserDeleted handler (events/) cancels orders through the repository.
  exports: [OrdersRepository],
})
export class OrdersModule {}
