import { Module } from '@nestjs/common';
import { PROTO_FILES, userV1 } from '@acme/contracts';
import { createUpstreamClient, type Upstream } from '@acme/grpc-kit';
import { ORDER_SERVICE_CONFIG, type OrderServiceConfig } from '../config';
import { USER_SERVICE_CLIENT, UserDirectory } from './user-directory';

/** order-service's connection to user-service: one long-lived channel, created at startup. */
@Module({
  providers: [
    {
      provide: USER_SERVICE_CLIENT,
      inject: [ORDER_SERVICE_CONFIG],
      useFactory: (config: OrderServiceConfig): Upstream<userV1.UserServiceClient> =>
        createUpstreamClient<userV1.UserServiceClient>({
          target: config.USER_SERVICE_URL,
          package: userV1.ACME_USER_V1_PACKAGE_NAME,
          protoFile: PROTO_FILES.user,
          service: userV1.USER_SERVICE_NAME,
          deadlineMs: config.USER_SERVICE_DEADLINE_MS,
          // Reads are safe to retry; CreateUser/DeleteUser are not.
          retryableMethods: ['getUser', 'listUsers'],
        }),
    },
    UserDirectory,
  ],
  exports: [UserDirectory],
})
export class UsersModule {}
