import { Controller } from '@nestjs/common';
import { type ServiceHandlers, type StreamCall, type StreamedRequest, userV1 } from '@acme/contracts';
import { GrpcServiceController } from '@acme/grpc-kit';
import { UsersService } from './users.service';
import { UserImportService } from '../import/user-import.service';

/** acme.user.v1.UserService over gRPC: each RPC hands its request to UsersService. */
@Controller()
@GrpcServiceController(userV1.UserService)
export class UsersController implements ServiceHandlers<typeof userV1.UserService> {
  constructor(
    private readonly users: UsersService,
    private readonly imports: UserImportService,
  ) {}

  createUser(request: userV1.CreateUserRequest): Promise<userV1.User> {
    return this.users.create(request);
  }

  getUser(request: userV1.GetUserRequest): Promise<userV1.User> {
    return this.users.get(request);
  }

  listUsers(request: userV1.ListUsersRequest): Promise<userV1.ListUsersResponse> {
    return this.users.list(request);
  }

  deleteUser(request: userV1.DeleteUserRequest): Promise<userV1.DeleteUserResponse> {
    return this.users.delete(request);
  }

  importUsers(requests: AsyncIterable<StreamedRequest<userV1.ImportUsersRequest>>, call: StreamCall): Promise<userV1.ImportUsersResponse> {
    return this.imports.import(requests, call.signal);
  }
}
