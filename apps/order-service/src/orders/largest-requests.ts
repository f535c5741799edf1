import { SERVICES } from '@acme/contracts';
import { ANY_UUID, MAX_IDEMPOTENCY_KEY_LENGTH, type LargestRequests, maxReceiveMessageBytes, widestText } from '@acme/grpc-kit';
import { MAX_PAGE_SIZE, PageTokenCodec } from '@acme/persistence';
import { INT64_MAX, MAX_ITEMS, MAX_SKU_LENGTH } from './order-rules';

/**
 * The largest request of each RPC that order-service's rules accept, built
 * from the rules' own limits; the server's message size limit follows from
 * it (largest-requests.spec.ts checks each one passes the rules and that
 * every field is filled). `satisfies` rather than a type annotation keeps
 * the fields as given: a request's init shape makes every one optional.
 */
export const LARGEST_ORDER_REQUESTS = {
  createOrder: {
    userId: ANY_UUID,
    idempotencyKey: widestText(MAX_IDEMPOTENCY_KEY_LENGTH),
    items: Array.from({ length: MAX_ITEMS }, () => ({
      sku: 'S'.repeat(MAX_SKU_LENGTH), // SKUs are ASCII
      // The total must fit in int64, so quantity and price cannot both be at
      // their maximum. A price of INT64_MAX / MAX_ITEMS still takes the
      // longest varint of a non-negative int64 (9 bytes, from 2^56), which
      // only quantity 1 allows, and that outweighs a 2-byte quantity.
      quantity: 1,
      unitPriceCents: INT64_MAX / BigInt(MAX_ITEMS),
    })),
  },
  getOrder: { id: ANY_UUID },
  listOrders: {
    userId: ANY_UUID,
    pageSize: MAX_PAGE_SIZE,
    // Tokens carry an order id; their length depends on neither the secret nor the list.
    pageToken: new PageTokenCodec('any secret').encode(`orders:${ANY_UUID}`, ANY_UUID),
  },
  cancelOrder: { id: ANY_UUID },
} satisfies LargestRequests<typeof SERVICES.order>;

/** order-service's grpc.max_receive_message_length. */
export const ORDER_SERVICE_MAX_RECEIVE_BYTES = maxReceiveMessageBytes(SERVICES.order, LARGEST_ORDER_REQUESTS);
