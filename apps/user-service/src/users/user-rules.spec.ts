import { status } from '@grpc/grpc-js';
import type { InvalidArgumentError } from '@acme/grpc-kit';
import { validateNewUser } from './user-rules';

const invalid = (email: string, name: string, idempotencyKey = ''): InvalidArgumentError => {
  try {
    validateNewUser({ email, name, idempotencyKey });
  } catch (error) {
    return error as InvalidArgumentError;
  }
  throw new Error('accepted');
};

describe('validateNewUser', () => {
  it('keeps valid input verbatim', () => {
    expect(validateNewUser({ email: 'Ada.Lovelace+test@Example.co.uk', name: '  Ada 😀 ', idempotencyKey: 'k-1 é' })).toEqual({
      email: 'Ada.Lovelace+test@Example.co.uk',
      name: '  Ada 😀 ',
      idempotencyKey: 'k-1 é',
    });
  });

  it('takes an optional idempotency key of at most 255 characters, without NUL', () => {
    expect(validateNewUser({ email: 'a@example.com', name: 'A', idempotencyKey: '' }).idempotencyKey).toBe('');
    expect(validateNewUser({ email: 'a@example.com', name: 'A', idempotencyKey: '😀'.repeat(255) }).idempotencyKey).toHaveLength(510);
    expect(invalid('a@example.com', 'A', 'k'.repeat(256)).message).toBe('idempotency_key: must be at most 255 characters');
    expect(invalid('a@example.com', 'A', 'k\u0000').message).toBe('idempotency_key: must not contain NUL characters');
  });

  it.each([
    ['', 'email: is required'],
    ['ada', 'email: must be a valid email address'],
    ['ada@localhost', 'email: must be a valid email address'],
    ['ada @example.com', 'email: must be a valid email address'],
    [' ada@example.com', 'email: must be a valid email address'],
    ['ada@example..com', 'email: must be a valid email address'],
    ["x'; DROP TABLE users;--@example.com", 'email: must be a valid email address'],
    [`${'a'.repeat(65)}@example.com`, 'email: must be a valid email address'],
    [`a@${`${'b'.repeat(63)}.`.repeat(4)}com`, 'email: must be at most 254 characters'],
  ])('rejects email %p', (email, message) => {
    const error = invalid(email, 'Ada');
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.field).toBe('email');
    expect(error.message).toContain(message);
  });

  it.each([
    ['', 'name: is required'],
    ['   ', 'name: must not be blank'],
    ['a'.repeat(201), 'name: must be at most 200 characters, got 201'],
    ['😀'.repeat(201), 'name: must be at most 200 characters, got 201'],
    ['a\u0000b', 'name: must not contain NUL characters'],
  ])('rejects name %#', (name, message) => {
    const error = invalid('ada@example.com', name);
    expect(error.field).toBe('name');
    expect(error.message).toBe(message);
  });

  it('counts the 200-character limit in code points', () => {
    expect(validateNewUser({ email: 'a@example.com', name: '😀'.repeat(200), idempotencyKey: '' }).name).toHaveLength(400);
  });
});
