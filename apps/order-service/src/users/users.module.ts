import { Module } from '@nestjs/common';
import { SERVICES } from '@acme/contracts';
import { createUpstreamClient, type Upstream } from '@acme/grpc-kit';
import { ORDER_SERVICE_CONFIG, type OrderServiceConfig } from '../config';
import { USER_SERVICE_CLIENT, UserDirectory } from './user-directory';

/** order-service's connection to user-service: one long-lived channel, created at startup. */
@Module({
  providers: [
    {
      provide: USER_SERVICE_CLIENT,
      inject: [ORDER_SERVICE_CONFIG],
      useFactory: (config: OrderServiceConfig): Upstream<typeof SERVICES.user> =>
        // Retries only what user.proto declares safe to repeat (GetUser, ListUsers).
        createUpstreamClient({
          target: config.USER_SERVICE_URL,
          service: SERVICES.user,
          deadlineMs: config.USER_SERVICE_DEADLINE_MS,
        }),
    },
    UserDirectory,
  ],
  exports: [UserDirectory],
})
export class UsersModule {}
