import { InvalidArgumentError, checkIdempotencyKey, codePointLength } from '@acme/grpc-kit';
import type { userV1 } from '@acme/contracts';

export const MAX_EMAIL_LENGTH = 254;
export const MAX_NAME_LENGTH = 200;

// The WHATWG HTML "valid email address" grammar, plus a dot in the domain:
// what users can actually receive mail at, without the RFC 5322 oddities.
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

export interface NewUser {
  readonly email: string;
  readonly name: string;
  /** '' when the request has none. */
  readonly idempotencyKey: string;
}

/** Validates CreateUser input. Values are kept verbatim: no trimming, no case folding. */
export function validateNewUser(request: Pick<userV1.CreateUserRequest, keyof NewUser>): NewUser {
  const { email, name } = request;
  if (email === '') throw new InvalidArgumentError('email', 'is required');
  if (email.length > MAX_EMAIL_LENGTH) {
    throw new InvalidArgumentError('email', `must be at most ${MAX_EMAIL_LENGTH} characters`);
  }
  if (!EMAIL.test(email)) throw new InvalidArgumentError('email', 'must be a valid email address, e.g. ada@example.com');
  if (name === '') throw new InvalidArgumentError('name', 'is required');
  if (name.trim() === '') throw new InvalidArgumentError('name', 'must not be blank');
  const length = codePointLength(name);
  if (length > MAX_NAME_LENGTH) {
    throw new InvalidArgumentError('name', `must be at most ${MAX_NAME_LENGTH} characters, got ${length}`);
  }
  if (name.includes('\u0000')) throw new InvalidArgumentError('name', 'must not contain NUL characters');
  return { email, name, idempotencyKey: checkIdempotencyKey(request.idempotencyKey) };
}
