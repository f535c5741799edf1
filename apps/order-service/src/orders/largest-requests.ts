import { INT64_MAX, maxItemsOf, maxLengthOf, maxValueOf, orderV1, rulesOf, SERVICES } from '@acme/contracts';
import { ANY_UUID, type LargestRequests, maxReceiveMessageBytes, widestText } from '@acme/grpc-kit';
import { PageTokenCodec } from '@acme/persistence';

const request = orderV1.CreateOrderRequestSchema.field;
const item = orderV1.OrderItemSchema.field;
const maxItems = maxItemsOf(request.items);

/** The smallest quantity the proto's rule allows (its gte). */
function leastQuantity(): number {
  const { greaterThan } = rulesOf(item.quantity, 'int32');
  if (greaterThan.case !== 'gte') throw new Error(`${item.quantity.toString()} declares no gte rule`);
  return greaterThan.value;
}

/**
 * The largest request of each RPC that order-service accepts, built from the
 * limits of the proto's field rules; the server's message size limit follows
 * from it (largest-requests.spec.ts checks each one passes the rules and that
 * every field is filled). `satisfies` rather than a type annotation keeps
 * the fields as given: a request's init shape makes every one optional.
 */
export const LARGEST_ORDER_REQUESTS = {
  createOrder: {
    userId: ANY_UUID,
    idempotencyKey: widestText(maxLengthOf(request.idempotencyKey)),
    items: Array.from({ length: maxItems }, () => ({
      sku: 'S'.repeat(maxLengthOf(item.sku)), // the SKU pattern is ASCII
      // The total must fit in int64, so quantity and price cannot both be at
      // their maximum. A price of INT64_MAX / max items still takes the
      // longest varint of a non-negative int64 (9 bytes, from 2^56), which
      // only the least quantity allows, and that outweighs a 2-byte quantity.
      quantity: leastQuantity(),
      unitPriceCents: INT64_MAX / BigInt(maxItems),
    })),
  },
  getOrder: { id: ANY_UUID },
  listOrders: {
    userId: ANY_UUID,
    pageSize: maxValueOf(orderV1.ListOrdersRequestSchema.field.pageSize),
    // Tokens carry an order id; their length depends on neither the secret nor the list.
    pageToken: new PageTokenCodec('any secret').encode(`orders:${ANY_UUID}`, ANY_UUID),
  },
  cancelOrder: { id: ANY_UUID },
  watchOrders: { userId: ANY_UUID, resumeToken: '9'.repeat(maxLengthOf(orderV1.WatchOrdersRequestSchema.field.resumeToken)) },
} satisfies LargestRequests<typeof SERVICES.order>;

/** order-service's grpc.max_receive_message_length. */
export const ORDER_SERVICE_MAX_RECEIVE_BYTES = maxReceiveMessageBytes(SERVICES.order, LARGEST_ORDER_REQUESTS);
