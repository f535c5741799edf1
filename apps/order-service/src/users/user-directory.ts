import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import type { SERVICES } from '@acme/contracts';
import {
  DeadlineExceededError,
  FailedPreconditionError,
  UnavailableError,
  grpcStatusOf,
  type Upstream,
} from '@acme/grpc-kit';

export const USER_SERVICE_CLIENT = Symbol('USER_SERVICE_CLIENT');

/**
 * What order-service needs to know about users, asked of user-service over
 * gRPC (order-service never reads user-service's database). Upstream
 * failures are translated into what they mean for *our* caller.
 */
@Injectable()
export class UserDirectory implements OnApplicationShutdown {
  constructor(@Inject(USER_SERVICE_CLIENT) private readonly users: Upstream<typeof SERVICES.user>) {}

  onApplicationShutdown(): void {
    this.users.close();
  }

  /** Resolves when the user exists; otherwise throws the status our caller should see. */
  async assertUserExists(userId: string): Promise<void> {
    try {
      await this.users.getUser({ id: userId });
    } catch (error) {
      switch (grpcStatusOf(error)) {
        case status.NOT_FOUND:
          throw new FailedPreconditionError(`user ${userId} does not exist`);
        case status.UNAVAILABLE:
          throw new UnavailableError('user-service is unavailable; no order was written, retry later');
        case status.DEADLINE_EXCEEDED:
          throw new DeadlineExceededError('user-service did not answer within the deadline; no order was written');
        default:
          throw error; // anything else is a bug on one side: the exception filter answers INTERNAL and logs it
      }
    }
  }
}
