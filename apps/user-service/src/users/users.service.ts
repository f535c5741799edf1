import { Inject, Injectable } from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import { v7 as uuidv7 } from 'uuid';
import { userV1 } from '@acme/contracts';
import { AlreadyExistsError, assertActsFor, currentCaller, FailedPreconditionError, isAdmin, NotFoundError } from '@acme/grpc-kit';
import { PageTokenCodec } from '@acme/persistence';
import { toUserMessage } from './user.mapper';
import { UsersRepository } from './users.repository';

export const USER_PAGE_TOKENS = Symbol('USER_PAGE_TOKENS');
const LIST_SCOPE = 'users';

/**
 * The rules of UserService; transport-agnostic (the controller only adapts
 * gRPC to it). Requests arrive checked against their proto's field rules;
 * the UUID rule takes either letter case, so ids are lower-cased here, for
 * messages and the UserDeleted event (whose subscribers key by the id's text).
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    @Inject(USER_PAGE_TOKENS) private readonly pageTokens: PageTokenCodec,
  ) {}

  /**
   * Inserts the user, bound to the caller's subject unless the caller is an
   * admin (proto: CreateUser). When the email, the idempotency key or the
   * subject is taken, a request that repeats the one that created the holder
   * (same key, same email and name, byte for byte, same caller) is a replay
   * and gets that user back; any other is a conflict. Email and name are
   * stored verbatim: no trimming, no case folding.
   */
  async create(request: userV1.CreateUserRequest): Promise<userV1.User> {
    const { email, name, idempotencyKey } = request;
    const caller = currentCaller();
    const subject = caller && !isAdmin(caller) ? caller.subject : null;
    const result = await this.users.insert({ id: uuidv7(), email, name, idempotencyKey }, subject);
    if ('inserted' in result) return toUserMessage(result.inserted);
    const holder = result.existing;
    if (idempotencyKey !== '' && holder.idempotencyKey === idempotencyKey) {
      // Someone else's key gets them nothing: not the user, not even its id.
      if (holder.email === email && holder.name === name && holder.subject === subject) return toUserMessage(holder);
      throw new FailedPreconditionError(
        holder.subject === subject
          ? `idempotency_key ${JSON.stringify(idempotencyKey)} was already used for user ${holder.id} with a different email or name`
          : `idempotency_key ${JSON.stringify(idempotencyKey)} was already used by another caller; choose a new key`,
      );
    }
    if (subject !== null && holder.subject === subject) throw new AlreadyExistsError(`the caller (${subject}) is already registered as user ${holder.id}`);
    throw new AlreadyExistsError(`a user with email ${email} already exists`);
  }

  /** The user; a caller without the admin role may read only the user bound to it. */
  async get(request: userV1.GetUserRequest): Promise<userV1.User> {
    const id = request.id.toLowerCase();
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundError('user', id);
    const caller = currentCaller();
    if (caller) assertActsFor(caller, user.subject, `user ${id}`);
    return toUserMessage(user);
  }

  async list(request: userV1.ListUsersRequest): Promise<userV1.ListUsersResponse> {
    const { items, nextPageToken } = await this.pageTokens.readPage(LIST_SCOPE, request, (afterId, limit) =>
      this.users.listAfter(afterId, limit),
    );
    return create(userV1.ListUsersResponseSchema, { users: items.map(toUserMessage), nextPageToken });
  }

  async delete(request: userV1.DeleteUserRequest): Promise<userV1.DeleteUserResponse> {
    const id = request.id.toLowerCase();
    // UserDeleted is committed to the outbox with the deletion; its commit starts the publishing.
    if (!(await this.users.deleteById(id))) throw new NotFoundError('user', id);
    return create(userV1.DeleteUserResponseSchema);
  }
}
