import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import type { SERVICES } from '@acme/contracts';
import {
  currentCaller,
  DeadlineExceededError,
  FailedPreconditionError,
  isAdmin,
  PermissionDeniedError,
  UnauthenticatedError,
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

  /**
   * Resolves when the user exists and the caller may act for it (user-service
   * decides that: the caller's token goes with the call); otherwise throws
   * the status our caller should see.
   */
  async assertUserExists(userId: string): Promise<void> {
    try {
      await this.users.getUser({ id: userId });
    } catch (error) {
      throw this.translated(error, userId, 'no order was written');
    }
  }

  /**
   * Resolves when the caller may act for the user (an admin may act for
   * anyone, with or without the user existing); otherwise PERMISSION_DENIED.
   * The binding of users to callers is user-service's, so a caller without
   * the admin role costs one GetUser; with AUTH_MODE=off nobody is checked.
   */
  async assertCallerActsFor(userId: string): Promise<void> {
    const caller = currentCaller();
    if (!caller || isAdmin(caller)) return;
    try {
      await this.users.getUser({ id: userId });
    } catch (error) {
      // Not theirs either way; saying which would tell who has an account.
      if (grpcStatusOf(error) === status.NOT_FOUND) throw new PermissionDeniedError(`user ${userId} is not the caller's (${caller.subject}) user`);
      throw this.translated(error, userId, 'nothing was read or changed');
    }
  }

  private translated(error: unknown, userId: string, consequence: string): unknown {
    switch (grpcStatusOf(error)) {
      case status.NOT_FOUND:
        return new FailedPreconditionError(`user ${userId} does not exist`);
      case status.PERMISSION_DENIED:
        return new PermissionDeniedError((error as { details?: string }).details ?? `the caller may not act for user ${userId}`);
      case status.UNAUTHENTICATED:
        return new UnauthenticatedError((error as { details?: string }).details ?? 'the access token was refused');
      case status.UNAVAILABLE:
        return new UnavailableError(`user-service is unavailable; ${consequence}, retry later`);
      case status.DEADLINE_EXCEEDED:
        return new DeadlineExceededError(`user-service did not answer within the deadline; ${consequence}`);
      default:
        return error; // anything else is a bug on one side: the exception filter answers INTERNAL and logs it
    }
  }
}
