import type { DescService } from '@bufbuild/protobuf';
import { Module } from '@nestjs/common';
import { SERVICES } from '@acme/contracts';
import { ORDER_SERVICE, UpstreamsModule, USER_SERVICE } from '../upstreams/upstreams.module';
import { StreamsModule } from '../streams/streams.module';
import { restController } from './rest-controller';

/** The REST routes of every service the gateway fronts, as their protos' google.api.http rules declare them. */
export const REST_SERVICES: readonly { readonly service: DescService; readonly client: symbol }[] = [
  { service: SERVICES.user, client: USER_SERVICE },
  { service: SERVICES.order, client: ORDER_SERVICE },
];

@Module({
  imports: [UpstreamsModule, StreamsModule],
  controllers: REST_SERVICES.map(({ service, client }) => restController(service, client)),
})
export class RestModule {}
