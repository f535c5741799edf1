import { create } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { orderV1 } from '@acme/contracts';
import type { InvalidArgumentError } from '@acme/grpc-kit';
import { toNewOrder } from './order-rules';

// The field rules are the proto's (apps/system-e2e/test/orders.spec.ts asks a real server for them).
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
    toNewOrder(req);
  } catch (error) {
    return error as InvalidArgumentError;
  }
  throw new Error('accepted');
};

describe('toNewOrder', () => {
  it('computes the total exactly in integer arithmetic', () => {
    const order = toNewOrder(request({ items: [item({ quantity: 3, unitPriceCents: 199n }), item({ sku: 'b', quantity: 2, unitPriceCents: 1n })] }));
    expect(order.totalCents).toBe(599n);
  });

  it('stays exact above 2^53, where floats would round', () => {
    const price = 9007199254740993n; // 2^53 + 1
    const order = toNewOrder(request({ items: [item({ quantity: 3, unitPriceCents: price })] }));
    expect(order.totalCents).toBe(27021597764222979n);
    expect(BigInt(Number(order.totalCents))).not.toBe(order.totalCents); // the float would be off
  });

  it('accepts the largest total that fits in int64', () => {
    const order = toNewOrder(request({ items: [item({ unitPriceCents: 9223372036854775807n })] }));
    expect(order.totalCents).toBe(9223372036854775807n);
  });

  it('rejects a total that overflows int64, naming items', () => {
    const error = invalid(request({ items: [item({ quantity: 2, unitPriceCents: 4611686018427387904n })] }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.field).toBe('items');
    expect(error.message).toBe('items: the order total (9223372036854775808 cents) does not fit in int64');
  });

  it('fingerprints the items: same items same hash, different items different hash', () => {
    const a = toNewOrder(request());
    expect(toNewOrder(request({ idempotencyKey: 'other' })).requestHash).toBe(a.requestHash);
    expect(toNewOrder(request({ items: [item({ quantity: 2 })] })).requestHash).not.toBe(a.requestHash);
  });

  it('lower-cases the user id and keeps the key and the items verbatim', () => {
    const idempotencyKey = 'ключ-😀 K';
    expect(toNewOrder(request({ userId: USER.toUpperCase(), idempotencyKey }))).toMatchObject({
      userId: USER,
      idempotencyKey,
      items: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 100n }],
    });
  });

  it('allows free items (price 0)', () => {
    expect(toNewOrder(request({ items: [item({ unitPriceCents: 0n })] })).totalCents).toBe(0n);
  });
});
