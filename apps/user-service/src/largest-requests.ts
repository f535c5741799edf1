import { maxLengthOf, maxValueOf, SERVICES, userV1 } from '@acme/contracts';
import { ANY_UUID, type LargestRequests, maxReceiveMessageBytes, widestText } from '@acme/grpc-kit';
import { PageTokenCodec } from '@acme/persistence';

const createUser = userV1.CreateUserRequestSchema.field;

/**
 * The largest request of each RPC that user-service accepts, built from the
 * limits of the proto's field rules; the server's message size limit follows
 * from it (largest-requests.spec.ts checks each one passes the rules and
 * that every field is filled). `satisfies` keeps each request's fields
 * required, so the spec can hand them to the rules.
 */
const LARGEST_CREATE_USER = {
  email: emailOfLength(maxLengthOf(createUser.email)), // the email grammar is ASCII
  name: widestText(maxLengthOf(createUser.name)),
  idempotencyKey: widestText(maxLengthOf(createUser.idempotencyKey)),
};

export const LARGEST_USER_REQUESTS = {
  createUser: LARGEST_CREATE_USER,
  getUser: { id: ANY_UUID },
  listUsers: {
    pageSize: maxValueOf(userV1.ListUsersRequestSchema.field.pageSize),
    // Tokens carry a user id; their length depends on neither the secret nor the list.
    pageToken: new PageTokenCodec('any secret').encode('users', ANY_UUID),
  },
  deleteUser: { id: ANY_UUID },
  // Each message of the stream is one CreateUser request, wrapped.
  importUsers: { user: LARGEST_CREATE_USER },
} satisfies LargestRequests<typeof SERVICES.user>;

/** A deliverable address of exactly `length` characters: a 64-character local part, 63-character DNS labels. */
function emailOfLength(length: number): string {
  let domain = 'example.com';
  const local = 'a'.repeat(64);
  while (local.length + 1 + domain.length < length) {
    const label = Math.min(63, length - local.length - 1 - domain.length - 1);
    domain = `${'b'.repeat(label)}.${domain}`;
  }
  return `${local}@${domain}`;
}

/** user-service's grpc.max_receive_message_length. */
export const USER_SERVICE_MAX_RECEIVE_BYTES = maxReceiveMessageBytes(SERVICES.user, LARGEST_USER_REQUESTS);
