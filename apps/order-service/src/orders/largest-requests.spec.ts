import { create, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { maxItemsOf, maxLengthOf, orderV1, rulesOf, SERVICES } from '@acme/contracts';
import { firstRuleViolation, largestRequestSizes, unsetRequestFields, widestText } from '@acme/grpc-kit';
import { PageTokenCodec, resolvePageSize } from '@acme/persistence';
import { LARGEST_ORDER_REQUESTS, ORDER_SERVICE_MAX_RECEIVE_BYTES } from './largest-requests';
import { toNewOrder } from './order-rules';

const { createOrder, getOrder, listOrders, cancelOrder } = LARGEST_ORDER_REQUESTS;
type CreateOrder = typeof createOrder;
/** The first field rule the request breaks, as the server checks it on the decoded request. */
const violation = <S extends DescMessage>(schema: S, request: MessageInitShape<S>) => firstRuleViolation(schema, create(schema, request));
const sizeOf = (request: CreateOrder) =>
  largestRequestSizes(SERVICES.order, { ...LARGEST_ORDER_REQUESTS, createOrder: request })['createOrder']!;

describe("order-service's largest requests and its message size limit", () => {
  it('fill every field of every request (a new field must be added there)', () => {
    expect(unsetRequestFields(SERVICES.order, LARGEST_ORDER_REQUESTS)).toEqual([]);
  });

  it('are each accepted by the rules', () => {
    expect(violation(orderV1.CreateOrderRequestSchema, createOrder)).toBeUndefined();
    expect(toNewOrder(create(orderV1.CreateOrderRequestSchema, createOrder)).items).toHaveLength(maxItemsOf(orderV1.CreateOrderRequestSchema.field.items));
    expect(violation(orderV1.GetOrderRequestSchema, getOrder)).toBeUndefined();
    expect(violation(orderV1.CancelOrderRequestSchema, cancelOrder)).toBeUndefined();
    expect(violation(orderV1.ListOrdersRequestSchema, listOrders)).toBeUndefined();
    expect(resolvePageSize(listOrders.pageSize)).toBe(listOrders.pageSize);
    expect(new PageTokenCodec('any secret').decode(`orders:${listOrders.userId}`, listOrders.pageToken)).toBeDefined();
  });

  it('fit under the limit, which stays far below grpc-js 4 MiB default', () => {
    const sizes = largestRequestSizes(SERVICES.order, LARGEST_ORDER_REQUESTS);
    for (const size of Object.values(sizes)) expect(size).toBeLessThanOrEqual(ORDER_SERVICE_MAX_RECEIVE_BYTES);
    expect(ORDER_SERVICE_MAX_RECEIVE_BYTES).toBeLessThan(64 * 1024); // 18 KiB: CreateOrder is 9,061 bytes
  });

  const [item, ...rest] = createOrder.items;
  const maxItems = maxItemsOf(orderV1.CreateOrderRequestSchema.field.items);
  const maxSku = maxLengthOf(orderV1.OrderItemSchema.field.sku);
  const maxKey = maxLengthOf(orderV1.CreateOrderRequestSchema.field.idempotencyKey);
  const quantity = rulesOf(orderV1.OrderItemSchema.field.quantity, 'int32');
  const maxQuantity = quantity.lessThan.value!;
  it.each<[string, CreateOrder, { field: string; reason: string }]>([
    ['one item more than allowed', { ...createOrder, items: [...createOrder.items, item!] }, { field: 'items', reason: `must contain at most ${maxItems} items, got ${maxItems + 1}` }],
    ['a SKU one character too long', { ...createOrder, items: [{ ...item!, sku: 'S'.repeat(maxSku + 1) }, ...rest] }, { field: 'items[0].sku', reason: `must be at most ${maxSku} characters, got ${maxSku + 1}` }],
    [
      'an idempotency key one character too long',
      { ...createOrder, idempotencyKey: widestText(maxKey + 1) },
      { field: 'idempotency_key', reason: `must be at most ${maxKey} characters, got ${maxKey + 1}` },
    ],
    [
      'every quantity one over the maximum',
      { ...createOrder, items: createOrder.items.map((i) => ({ ...i, quantity: maxQuantity + 1 })) },
      { field: 'items[0].quantity', reason: `must be between ${quantity.greaterThan.value} and ${maxQuantity}, got ${maxQuantity + 1}` },
    ],
  ])('let a request just past the rules (%s) through the size limit, so the rules refuse it with their message', (_case, request, expected) => {
    expect(sizeOf(request)).toBeLessThanOrEqual(ORDER_SERVICE_MAX_RECEIVE_BYTES);
    expect(violation(orderV1.CreateOrderRequestSchema, request)).toEqual(expected);
  });
});
