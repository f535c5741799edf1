import { Module } from '@nestjs/common';
import { UpstreamsModule } from '../upstreams/upstreams.module';
import { OrdersController } from './orders.controller';

@Module({ imports: [UpstreamsModule], controllers: [OrdersController] })
export class OrdersModule {}
