import { createHash } from 'node:crypto';
import { INT64_MAX, type orderV1 } from '@acme/contracts';
import { FailedPreconditionError, InvalidArgumentError } from '@acme/grpc-kit';

// The field rules (UUIDs, key, items, SKU, quantity, price) are the proto's
// buf.validate rules, checked before a request reaches the service. What is
// left here needs more than one field: the total, and the items' fingerprint.

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

/**
 * The order a CreateOrder request (already checked against its field rules)
 * asks for, with the total in exact integer arithmetic (never floats).
 */
export function toNewOrder(request: orderV1.CreateOrderRequest): NewOrder {
  const items = request.items.map(({ sku, quantity, unitPriceCents }): OrderLine => ({ sku, quantity, unitPriceCents }));
  const total = items.reduce((sum, item) => sum + BigInt(item.quantity) * item.unitPriceCents, 0n);
  if (total > INT64_MAX) {
    throw new InvalidArgumentError('items', `the order total (${total} cents) does not fit in int64`);
  }
  return {
    // Lower case: the per-user lock hashes the id's text, so one user must have one spelling.
    userId: request.userId.toLowerCase(),
    idempotencyKey: request.idempotencyKey,
    items,
    totalCents: total,
    requestHash: fingerprint(items),
  };
}

function fingerprint(lines: readonly OrderLine[]): string {
  // Prices as decimal strings, as they were when the stored hashes were made: a retry must match them.
  const canonical = JSON.stringify(lines.map((l) => [l.sku, l.quantity, l.unitPriceCents.toString()]));
  return createHash('sha256').update(canonical).digest('base64url');
}
