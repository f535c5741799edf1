import { create } from '@bufbuild/protobuf';
import { SERVICES, orderV1 } from '@acme/contracts';
import { MAX_IDEMPOTENCY_KEY_LENGTH, largestRequestSizes, requireUuid, unsetRequestFields, widestText } from '@acme/grpc-kit';
import { PageTokenCodec, resolvePageSize } from '@acme/persistence';
import { LARGEST_ORDER_REQUESTS, ORDER_SERVICE_MAX_RECEIVE_BYTES } from './largest-requests';
import { MAX_ITEMS, MAX_SKU_LENGTH, validateNewOrder } from './order-rules';

const { getOrder, listOrders, cancelOrder } = LARGEST_ORDER_REQUESTS;
// As the server would decode it, for the rules.
const createOrder = create(orderV1.CreateOrderRequestSchema, LARGEST_ORDER_REQUESTS.createOrder);
const sizeOf = (request: orderV1.CreateOrderRequest) =>
  largestRequestSizes(SERVICES.order, { ...LARGEST_ORDER_REQUESTS, createOrder: request })['createOrder']!;

describe("order-service's largest requests and its message size limit", () => {
  it('fill every field of every request (a new field must be added there)', () => {
    expect(unsetRequestFields(SERVICES.order, LARGEST_ORDER_REQUESTS)).toEqual([]);
  });

  it('are each accepted by the rules', () => {
    expect(validateNewOrder(createOrder).items).toHaveLength(MAX_ITEMS);
    for (const id of [getOrder.id, cancelOrder.id, listOrders.userId]) expect(requireUuid(id, 'id')).toBe(id);
    expect(resolvePageSize(listOrders.pageSize)).toBe(listOrders.pageSize);
    expect(new PageTokenCodec('any secret').decode(`orders:${listOrders.userId}`, listOrders.pageToken)).toBeDefined();
  });

  it('fit under the limit, which stays far below grpc-js 4 MiB default', () => {
    const sizes = largestRequestSizes(SERVICES.order, LARGEST_ORDER_REQUESTS);
    for (const size of Object.values(sizes)) expect(size).toBeLessThanOrEqual(ORDER_SERVICE_MAX_RECEIVE_BYTES);
    expect(ORDER_SERVICE_MAX_RECEIVE_BYTES).toBeLessThan(64 * 1024); // 18 KiB: CreateOrder is 9,061 bytes
  });

  const item = createOrder.items[0]!;
  it.each<[string, orderV1.CreateOrderRequest, string]>([
    ['one item more than allowed', { ...createOrder, items: [...createOrder.items, item] }, `items: must contain at most ${MAX_ITEMS} items, got ${MAX_ITEMS + 1}`],
    ['a SKU one character too long', { ...createOrder, items: [{ ...item, sku: 'S'.repeat(MAX_SKU_LENGTH + 1) }, ...createOrder.items.slice(1)] }, 'items[0].sku: must be 1 to'],
    ['an idempotency key one character too long', { ...createOrder, idempotencyKey: widestText(MAX_IDEMPOTENCY_KEY_LENGTH + 1) }, 'idempotency_key: must be at most'],
  ])('let a request just past the rules (%s) through the size limit, so the rules refuse it with their message', (_case, request, message) => {
    expect(sizeOf(request)).toBeLessThanOrEqual(ORDER_SERVICE_MAX_RECEIVE_BYTES);
    expect(() => validateNewOrder(request)).toThrow(message);
  });
});
