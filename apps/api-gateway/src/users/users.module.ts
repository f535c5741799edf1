import { Module } from '@nestjs/common';
import { UpstreamsModule } from '../upstreams/upstreams.module';
import { UsersController } from './users.controller';

@Module({ imports: [UpstreamsModule], controllers: [UsersController] })
export class UsersModule {}
