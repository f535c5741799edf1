import { create, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { maxLengthOf, SERVICES, userV1 } from '@acme/contracts';
import { firstRuleViolation, largestRequestSizes, unsetRequestFields, widestText } from '@acme/grpc-kit';
import { PageTokenCodec, resolvePageSize } from '@acme/persistence';
import { LARGEST_USER_REQUESTS, USER_SERVICE_MAX_RECEIVE_BYTES } from './largest-requests';

const { createUser, getUser, listUsers, deleteUser } = LARGEST_USER_REQUESTS;
type CreateUser = typeof createUser;
/** The first field rule the request breaks, as the server checks it on the decoded request. */
const violation = <S extends DescMessage>(schema: S, request: MessageInitShape<S>) => firstRuleViolation(schema, create(schema, request));
const sizeOf = (request: CreateUser) =>
  largestRequestSizes(SERVICES.user, { ...LARGEST_USER_REQUESTS, createUser: request })['createUser']!;
const field = userV1.CreateUserRequestSchema.field;

describe("user-service's largest requests and its message size limit", () => {
  it('fill every field of every request (a new field must be added there)', () => {
    expect(unsetRequestFields(SERVICES.user, LARGEST_USER_REQUESTS)).toEqual([]);
  });

  it('are each accepted by the rules', () => {
    expect(violation(userV1.CreateUserRequestSchema, createUser)).toBeUndefined();
    expect(createUser.email).toHaveLength(maxLengthOf(field.email));
    expect(violation(userV1.GetUserRequestSchema, getUser)).toBeUndefined();
    expect(violation(userV1.DeleteUserRequestSchema, deleteUser)).toBeUndefined();
    expect(violation(userV1.ListUsersRequestSchema, listUsers)).toBeUndefined();
    expect(resolvePageSize(listUsers.pageSize)).toBe(listUsers.pageSize);
    expect(new PageTokenCodec('any secret').decode('users', listUsers.pageToken)).toBeDefined();
  });

  it('fit under the limit, which stays far below grpc-js 4 MiB default', () => {
    const sizes = largestRequestSizes(SERVICES.user, LARGEST_USER_REQUESTS);
    for (const size of Object.values(sizes)) expect(size).toBeLessThanOrEqual(USER_SERVICE_MAX_RECEIVE_BYTES);
    expect(USER_SERVICE_MAX_RECEIVE_BYTES).toBeLessThan(64 * 1024); // 5 KiB: CreateUser is 2,083 bytes
  });

  const tooLong = (name: string, max: number) => ({ field: name, reason: `must be at most ${max} characters, got ${max + 1}` });
  it.each<[string, CreateUser, { field: string; reason: string }]>([
    ['a name one character too long', { ...createUser, name: widestText(maxLengthOf(field.name) + 1) }, tooLong('name', maxLengthOf(field.name))],
    [
      'an idempotency key one character too long',
      { ...createUser, idempotencyKey: widestText(maxLengthOf(field.idempotencyKey) + 1) },
      tooLong('idempotency_key', maxLengthOf(field.idempotencyKey)),
    ],
    // One more letter in its first DNS label, which is shorter than 63: still a deliverable address.
    ['an email one character too long', { ...createUser, email: createUser.email.replace('@', '@b') }, tooLong('email', maxLengthOf(field.email))],
  ])('let a request just past the rules (%s) through the size limit, so the rules refuse it with their message', (_case, request, expected) => {
    expect(sizeOf(request)).toBeLessThanOrEqual(USER_SERVICE_MAX_RECEIVE_BYTES);
    expect(violation(userV1.CreateUserRequestSchema, request)).toEqual(expected);
  });
});
