import { create } from '@bufbuild/protobuf';
import { orderV1 } from '@acme/contracts';
import { toEdgeJson } from './edge-json';

describe('toEdgeJson', () => {
  it('writes every field: int64 as text, enums unprefixed, times to the millisecond (cut), empty page tokens as null', () => {
    const order = create(orderV1.OrderSchema, {
      id: 'o',
      userId: 'u',
      items: [{ sku: 'A', quantity: 2, unitPriceCents: 9007199254740993n }],
      totalCents: 18014398509481986n,
      status: orderV1.OrderStatus.CANCELLED,
      createTime: { seconds: 1769860800n, nanos: 123_999_000 },
    });
    expect(toEdgeJson(orderV1.OrderSchema, order)).toEqual({
      id: 'o',
      userId: 'u',
      items: [{ sku: 'A', quantity: 2, unitPriceCents: '9007199254740993' }],
      totalCents: '18014398509481986',
      status: 'CANCELLED',
      createTime: '2026-01-31T12:00:00.123Z',
      updateTime: null,
    });
    expect(toEdgeJson(orderV1.ListOrdersResponseSchema, create(orderV1.ListOrdersResponseSchema))).toEqual({ orders: [], nextPageToken: null });
    expect(toEdgeJson(orderV1.ListOrdersResponseSchema, create(orderV1.ListOrdersResponseSchema, { nextPageToken: 't' }))).toEqual({ orders: [], nextPageToken: 't' });
  });
});
