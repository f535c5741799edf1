import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { userV1 } from '@acme/contracts';
import { AlreadyExistsError, NotFoundError, requireUuid } from '@acme/grpc-kit';
import { OutboxRelayService } from '@acme/messaging';
import { PageTokenCodec, resolvePageSize } from '@acme/persistence';
import { toUserMessage } from './user.mapper';
import { validateNewUser } from './user-rules';
import { UsersRepository } from './users.repository';

export const USER_PAGE_TOKENS = Symbol('USER_PAGE_TOKENS');
const LIST_SCOPE = 'users';

/** The rules of UserService; transport-agnostic (the controller only adapts gRPC to it). */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    @Inject(USER_PAGE_TOKENS) private readonly pageTokens: PageTokenCodec,
    private readonly outbox: OutboxRelayService,
  ) {}

  async create(request: userV1.CreateUserRequest): Promise<userV1.User> {
    const input = validateNewUser(request);
    const user = await this.users.insert({ id: uuidv7(), ...input });
    if (!user) throw new AlreadyExistsError(`a user with email ${input.email} already exists`);
    return toUserMessage(user);
  }

  async get(request: userV1.GetUserRequest): Promise<userV1.User> {
    const id = requireUuid(request.id, 'id');
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundError('user', id);
    return toUserMessage(user);
  }

  async list(request: userV1.ListUsersRequest): Promise<userV1.ListUsersResponse> {
    const pageSize = resolvePageSize(request.pageSize);
    const afterId = this.pageTokens.decode(LIST_SCOPE, request.pageToken);
    // One extra row tells whether another page exists without a COUNT.
    const rows = await this.users.listAfter(afterId, pageSize + 1);
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    return {
      users: page.map(toUserMessage),
      nextPageToken: rows.length > pageSize && last ? this.pageTokens.encode(LIST_SCOPE, last.id) : '',
    };
  }

  async delete(request: userV1.DeleteUserRequest): Promise<userV1.DeleteUserResponse> {
    const id = requireUuid(request.id, 'id');
    if (!(await this.users.deleteById(id))) throw new NotFoundError('user', id);
    // UserDeleted is committed to the outbox with the deletion: publish it now.
    this.outbox.nudge();
    return {};
  }
}
