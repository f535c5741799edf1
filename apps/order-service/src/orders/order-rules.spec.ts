import { create } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { orderV1 } from '@acme/contracts';
import type { InvalidArgumentError } from '@acme/grpc-kit';
import { MAX_ITEMS, validateNewOrder } from './order-rules';

const USER = '01a2175a-62b6-7650-893f-60b1730166e9';
const item = (over: Partial<orderV1.OrderItem> = {}): orderV1.OrderItem =>
  create(orderV1.OrderItemSchema, {
    sku: 'SKU-1',
    quantity: 1,
    unitPriceCents: 100n,
    ...over,
  });
const request = (over: Partial<orderV1.CreateOrderRequest> = {}): orderV1.CreateOrderRequest =>
  create(orderV1.CreateOrderRequestSchema, {
    userId: USER,
    idempotencyKey: 'key-1',
    items: [item()],
    ...over,
  });
const invalid = (req: orderV1.CreateOrderRequest): InvalidArgumentError => {
  try {
    validateNewOrder(req);
  } catch (error) {
    return error as InvalidArgumentError;
  }
  throw new Error('accepted');
};

describe('validateNewOrder', () => {
  it('computes the total exactly in integer arithmetic', () => {
    const order = validateNewOrder(
      request({ items: [item({ quantity: 3, unitPriceCents: 199n }), item({ sku: 'b', quantity: 2, unitPriceCents: 1n })] }),
    );
    expect(order.totalCents).toBe(599n);
  });

  it('stays exact above 2^53, where floats would round', () => {
    const price = 9007199254740993n; // 2^53 + 1
    const order = validateNewOrder(request({ items: [item({ quantity: 3, unitPriceCents: price })] }));
    expect(order.totalCents).toBe(27021597764222979n);
    expect(BigInt(Number(order.totalCents))).not.toBe(order.totalCents); // the float would be off
  });

  it('accepts the largest total that fits in int64', () => {
    const order = validateNewOrder(request({ items: [item({ unitPriceCents: 9223372036854775807n })] }));
    expect(order.totalCents).toBe(9223372036854775807n);
  });

  it('rejects a total that overflows int64, naming items', () => {
    const error = invalid(request({ items: [item({ quantity: 2, unitPriceCents: 4611686018427387904n })] }));
    expect(error.field).toBe('items');
    expect(error.message).toContain('does not fit in int64');
  });

  it('fingerprints the items: same items same hash, different items different hash', () => {
    const a = validateNewOrder(request());
    expect(validateNewOrder(request({ idempotencyKey: 'other' })).requestHash).toBe(a.requestHash);
    expect(validateNewOrder(request({ items: [item({ quantity: 2 })] })).requestHash).not.toBe(a.requestHash);
  });

  it.each<[string, Partial<orderV1.CreateOrderRequest>, string]>([
    ['missing user', { userId: '' }, 'user_id: is required'],
    ['user not a UUID', { userId: "' OR 1=1 --" }, 'user_id: must be a UUID'],
    ['missing key', { idempotencyKey: '' }, 'idempotency_key: is required'],
    ['key too long', { idempotencyKey: 'k'.repeat(256) }, 'idempotency_key: must be at most 255 characters'],
    ['no items', { items: [] }, 'items: must contain at least one item'],
    ['too many items', { items: Array.from({ length: MAX_ITEMS + 1 }, () => item()) }, 'items: must contain at most 100 items, got 101'],
    ['bad sku', { items: [item(), item({ sku: 'has space' })] }, 'items[1].sku: must be 1 to 64'],
    ['empty sku', { items: [item({ sku: '' })] }, 'items[0].sku: must be 1 to 64'],
    ['zero quantity', { items: [item({ quantity: 0 })] }, 'items[0].quantity: must be between 1 and 10000, got 0'],
    ['huge quantity', { items: [item({ quantity: 10_001 })] }, 'items[0].quantity: must be between 1 and 10000, got 10001'],
    ['negative quantity', { items: [item({ quantity: -1 })] }, 'items[0].quantity: must be between 1 and 10000, got -1'],
    ['negative price', { items: [item({ unitPriceCents: -1n })] }, 'items[0].unit_price_cents: must be a non-negative int64, got -1'],
  ])('rejects %s', (_case, over, message) => {
    const error = invalid(request(over));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.message).toContain(message);
  });

  it('allows 255-character keys of any script, verbatim', () => {
    const key = 'ключ-😀'.repeat(36).slice(0, 250);
    expect(validateNewOrder(request({ idempotencyKey: key })).idempotencyKey).toBe(key);
  });

  it('allows free items (price 0)', () => {
    expect(validateNewOrder(request({ items: [item({ unitPriceCents: 0n })] })).totalCents).toBe(0n);
  });
});
