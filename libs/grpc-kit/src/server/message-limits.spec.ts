import { SERVICES } from '@acme/contracts';
import { ANY_UUID, largestRequestSizes, type LargestRequests, maxReceiveMessageBytes, unsetRequestFields, widestText } from './message-limits';

describe('message limits from the largest valid requests', () => {
  const largest: LargestRequests<typeof SERVICES.order> = {
    createOrder: { userId: ANY_UUID, idempotencyKey: widestText(10), items: [{ sku: 'S', quantity: 1, unitPriceCents: 9223372036854775807n }] },
    getOrder: { id: ANY_UUID },
    listOrders: { userId: ANY_UUID, pageSize: 100, pageToken: 'token' },
    cancelOrder: { id: ANY_UUID },
    watchOrders: { userId: ANY_UUID, resumeToken: '1' },
  };

  it('measures each request with the codec the server decodes with', () => {
    // user_id 2+36, idempotency_key 2+40 (10 four-byte characters), items 2+(3 + 2 + 10)
    expect(largestRequestSizes(SERVICES.order, largest)).toEqual({ createOrder: 97, getOrder: 38, listOrders: 47, cancelOrder: 38, watchOrders: 41 });
  });

  it('sets the limit at twice the largest, in whole KiB', () => {
    expect(maxReceiveMessageBytes(SERVICES.order, largest)).toBe(1024);
    const items = Array.from({ length: 100 }, () => largest.createOrder.items![0]!);
    const bigger = { ...largest, createOrder: { ...largest.createOrder, items } };
    const size = largestRequestSizes(SERVICES.order, bigger)['createOrder']!;
    expect(maxReceiveMessageBytes(SERVICES.order, bigger)).toBe(Math.ceil((2 * size) / 1024) * 1024);
  });

  it('names every field, nested ones too, that a largest request leaves empty', () => {
    expect(unsetRequestFields(SERVICES.order, largest)).toEqual([]);
    const sparse = { ...largest, createOrder: { ...largest.createOrder, idempotencyKey: '', items: [{ sku: 'S', quantity: 0, unitPriceCents: 1n }] } };
    expect(unsetRequestFields(SERVICES.order, sparse)).toEqual(['CreateOrder.items[0].quantity', 'CreateOrder.idempotency_key']);
  });
});
