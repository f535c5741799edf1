import { Module } from '@nestjs/common';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { SERVICES } from '@acme/contracts';
import { createUpstreamClient, GRPC_CHANNEL_CREDENTIALS, type Upstream } from '@acme/grpc-kit';
import { ORDER_SERVICE_CONFIG, type OrderServiceConfig } from '../config';
import { USER_SERVICE_CLIENT, UserDirectory } from './user-directory';

/** order-service's connection to user-service: one long-lived channel, created at startup. */
@Module({
  providers: [
    {
      provide: USER_SERVICE_CLIENT,
      inject: [ORDER_SERVICE_CONFIG, GRPC_CHANNEL_CREDENTIALS],
      useFactory: (config: OrderServiceConfig, credentials: ChannelCredentials): Upstream<typeof SERVICES.user> =>
        // Retries only what user.proto declares safe to repeat (GetUser, ListUsers).
        createUpstreamClient({
          target: config.USER_SERVICE_URL,
          service: SERVICES.user,
          deadlineMs: config.USER_SERVICE_DEADLINE_MS,
          credentials,
        }),
    },
    UserDirectory,
  ],
  exports: [UserDirectory],
})
export class UsersModule {}
