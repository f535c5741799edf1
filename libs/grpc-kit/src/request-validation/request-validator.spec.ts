import { create } from '@bufbuild/protobuf';
import { orderV1, userV1 } from '@acme/contracts';
import { firstRuleViolation } from './request-validator';

// The rules are the protos' (buf.validate); these cases show how each kind reads.
describe('firstRuleViolation', () => {
  const user = (fields: Partial<{ email: string; name: string; idempotencyKey: string }>) =>
    firstRuleViolation(userV1.CreateUserRequestSchema, create(userV1.CreateUserRequestSchema, { email: 'ada@example.com', name: 'Ada', ...fields }));
  const item = { sku: 'BOOK-1', quantity: 1, unitPriceCents: 100n };
  const order = (fields: object) =>
    firstRuleViolation(
      orderV1.CreateOrderRequestSchema,
      create(orderV1.CreateOrderRequestSchema, { userId: '01a2175a-62b6-7650-893f-60b1730166e9', idempotencyKey: 'k', items: [item], ...fields }),
    );

  it('passes a valid request', () => {
    expect(user({})).toBeUndefined();
    expect(order({})).toBeUndefined();
  });

  it.each<[object, string, string]>([
    [{ email: '' }, 'email', 'is required'],
    [{ email: 'ada@localhost' }, 'email', 'must be a valid email address, e.g. ada@example.com'],
    [{ email: `${'a'.repeat(65)}@example.com` }, 'email', 'must be a valid email address, e.g. ada@example.com'],
    [{ email: `a@${`${'b'.repeat(63)}.`.repeat(4)}com` }, 'email', 'must be at most 254 characters, got 261'],
    [{ name: ' \t\u00a0\u3000' }, 'name', 'must not be blank'],
    [{ name: '😀'.repeat(201) }, 'name', 'must be at most 200 characters, got 201'],
    [{ name: 'a\u0000b' }, 'name', 'must not contain NUL characters'],
    [{ idempotencyKey: 'k'.repeat(256) }, 'idempotency_key', 'must be at most 255 characters, got 256'],
  ])('CreateUser case %#: %s %s', (fields, field, reason) => {
    expect(user(fields)).toEqual({ field, reason });
  });

  it.each<[object, string, string]>([
    [{ userId: '' }, 'user_id', 'is required'],
    [{ userId: "' OR 1=1 --" }, 'user_id', `must be a UUID, got "' OR 1=1 --"`],
    [{ idempotencyKey: '' }, 'idempotency_key', 'is required'],
    [{ items: [] }, 'items', 'must contain at least one item'],
    [{ items: Array.from({ length: 101 }, () => item) }, 'items', 'must contain at most 100 items, got 101'],
    [{ items: [item, { ...item, sku: 'has space' }] }, 'items[1].sku', 'must match the pattern ^[A-Za-z0-9._-]*$'],
    [{ items: [{ ...item, sku: 'S'.repeat(65) }] }, 'items[0].sku', 'must be at most 64 characters, got 65'],
    [{ items: [{ ...item, quantity: 0 }] }, 'items[0].quantity', 'must be between 1 and 10000, got 0'],
    [{ items: [{ ...item, quantity: 10_001 }] }, 'items[0].quantity', 'must be between 1 and 10000, got 10001'],
    [{ items: [{ ...item, unitPriceCents: -5n }] }, 'items[0].unit_price_cents', 'must be at least 0, got -5'],
  ])('CreateOrder case %#: %s %s', (fields, field, reason) => {
    expect(order(fields)).toEqual({ field, reason });
  });
});
