import { Controller } from '@nestjs/common';
import { userV1 } from '@acme/contracts';
import { UsersService } from './users.service';

/** acme.user.v1.UserService over gRPC: each RPC hands its request to UsersService. */
@Controller()
@userV1.UserServiceControllerMethods()
export class UsersController implements userV1.UserServiceController {
  constructor(private readonly users: UsersService) {}

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
}
