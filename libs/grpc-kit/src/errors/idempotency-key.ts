import { InvalidArgumentError } from './status-errors';
import { codePointLength } from './validation';

/** Longest idempotency key any RPC accepts, in Unicode code points (a UUID needs 36). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * Checks an idempotency key's form (length, no NUL, which Postgres cannot
 * store). An empty key passes: whether one is required is the RPC's rule.
 */
export function checkIdempotencyKey(key: string, field = 'idempotency_key'): string {
  if (codePointLength(key) > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new InvalidArgumentError(field, `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  if (key.includes('\u0000')) throw new InvalidArgumentError(field, 'must not contain NUL characters');
  return key;
}
