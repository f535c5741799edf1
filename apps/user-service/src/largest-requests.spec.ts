import { SERVICES } from '@acme/contracts';
import { MAX_IDEMPOTENCY_KEY_LENGTH, largestRequestSizes, requireUuid, unsetRequestFields, widestText } from '@acme/grpc-kit';
import { PageTokenCodec, resolvePageSize } from '@acme/persistence';
import { LARGEST_USER_REQUESTS, USER_SERVICE_MAX_RECEIVE_BYTES } from './largest-requests';
import { MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, validateNewUser } from './users/user-rules';

const { createUser, getUser, listUsers, deleteUser } = LARGEST_USER_REQUESTS;
type CreateUser = typeof createUser;
const sizeOf = (request: CreateUser) =>
  largestRequestSizes(SERVICES.user, { ...LARGEST_USER_REQUESTS, createUser: request })['createUser']!;

describe("user-service's largest requests and its message size limit", () => {
  it('fill every field of every request (a new field must be added there)', () => {
    expect(unsetRequestFields(SERVICES.user, LARGEST_USER_REQUESTS)).toEqual([]);
  });

  it('are each accepted by the rules', () => {
    expect(validateNewUser(createUser)).toEqual(createUser);
    expect(createUser.email).toHaveLength(MAX_EMAIL_LENGTH);
    for (const id of [getUser.id, deleteUser.id]) expect(requireUuid(id, 'id')).toBe(id);
    expect(resolvePageSize(listUsers.pageSize)).toBe(listUsers.pageSize);
    expect(new PageTokenCodec('any secret').decode('users', listUsers.pageToken)).toBeDefined();
  });

  it('fit under the limit, which stays far below grpc-js 4 MiB default', () => {
    const sizes = largestRequestSizes(SERVICES.user, LARGEST_USER_REQUESTS);
    for (const size of Object.values(sizes)) expect(size).toBeLessThanOrEqual(USER_SERVICE_MAX_RECEIVE_BYTES);
    expect(USER_SERVICE_MAX_RECEIVE_BYTES).toBeLessThan(64 * 1024); // 5 KiB: CreateUser is 2,083 bytes
  });

  it.each<[string, CreateUser, string]>([
    ['a name one character too long', { ...createUser, name: widestText(MAX_NAME_LENGTH + 1) }, 'name: must be at most'],
    ['an idempotency key one character too long', { ...createUser, idempotencyKey: widestText(MAX_IDEMPOTENCY_KEY_LENGTH + 1) }, 'idempotency_key: must be at most'],
    ['an email one character too long', { ...createUser, email: `a${createUser.email}` }, 'email: must be at most'],
  ])('let a request just past the rules (%s) through the size limit, so the rules refuse it with their message', (_case, request, message) => {
    expect(sizeOf(request)).toBeLessThanOrEqual(USER_SERVICE_MAX_RECEIVE_BYTES);
    expect(() => validateNewUser(request)).toThrow(message);
  });
});
