import { createHash } from 'node:crypto';
import type { orderV1 } from '@acme/contracts';
import { FailedPreconditionError, InvalidArgumentError, checkIdempotencyKey, requireUuid } from '@acme/grpc-kit';

export const MAX_ITEMS = 100;
export const MAX_QUANTITY = 10_000;
export const MAX_SKU_LENGTH = 64;
export const INT64_MAX = 2n ** 63n - 1n;
const SKU = new RegExp(`^[A-Za-z0-9._-]{1,${MAX_SKU_LENGTH}}$`);

/**
 * The order domain's rule that a deleted user (acme.user.v1.UserDeleted) gets
 * no new orders: CreateOrder fails with FAILED_PRECONDITION. The repository
 * detects it (in the insert's transaction) and throws this.
 */
export class UserDeletedError extends FailedPreconditionError {
  constructor(readonly userId: string) {
    super(`user ${userId} was deleted; no order was written`);
  }
}

export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: bigint;
}

export interface NewOrder {
  readonly userId: string;
  readonly idempotencyKey: string;
  readonly items: readonly OrderLine[];
  /** Sum of quantity * unit price, computed exactly. */
  readonly totalCents: bigint;
  /** Fingerprint of the items: a key reused for different items is refused. */
  readonly requestHash: string;
}

/** Validates CreateOrder and computes the total in exact integer arithmetic (never floats). */
export function validateNewOrder(request: orderV1.CreateOrderRequest): NewOrder {
  const userId = requireUuid(request.userId, 'user_id');
  const idempotencyKey = checkIdempotencyKey(request.idempotencyKey);
  if (idempotencyKey === '') {
    throw new InvalidArgumentError('idempotency_key', 'is required: choose one per intended order and reuse it on retries');
  }

  const items = request.items;
  if (items.length === 0) throw new InvalidArgumentError('items', 'must contain at least one item');
  if (items.length > MAX_ITEMS) {
    throw new InvalidArgumentError('items', `must contain at most ${MAX_ITEMS} items, got ${items.length}`);
  }
  let total = 0n;
  const lines = items.map((item, i): OrderLine => {
    const field = `items[${i}]`;
    if (!SKU.test(item.sku)) {
      throw new InvalidArgumentError(`${field}.sku`, `must be 1 to ${MAX_SKU_LENGTH} letters, digits, '.', '_' or '-'`);
    }
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      throw new InvalidArgumentError(`${field}.quantity`, `must be between 1 and ${MAX_QUANTITY}, got ${item.quantity}`);
    }
    const price = item.unitPriceCents;
    // The wire cannot carry more than INT64_MAX, but a request built in process can.
    if (price < 0n || price > INT64_MAX) {
      throw new InvalidArgumentError(`${field}.unit_price_cents`, `must be a non-negative int64, got ${price}`);
    }
    total += BigInt(item.quantity) * price;
    return { sku: item.sku, quantity: item.quantity, unitPriceCents: price };
  });
  if (total > INT64_MAX) {
    throw new InvalidArgumentError('items', `the order total (${total} cents) does not fit in int64`);
  }
  return { userId, idempotencyKey, items: lines, totalCents: total, requestHash: fingerprint(lines) };
}

function fingerprint(lines: readonly OrderLine[]): string {
  // Prices as decimal strings, as they were when the stored hashes were made: a retry must match them.
  const canonical = JSON.stringify(lines.map((l) => [l.sku, l.quantity, l.unitPriceCents.toString()]));
  return createHash('sha256').update(canonical).digest('base64url');
}
