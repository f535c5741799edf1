import { Inject, Injectable } from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import { v7 as uuidv7 } from 'uuid';
import { orderV1 } from '@acme/contracts';
import { FailedPreconditionError, NotFoundError, PermissionDeniedError, UnauthenticatedError } from '@acme/grpc-kit';
import { PageTokenCodec } from '@acme/persistence';
import { UserDirectory } from '../users/user-directory';
import { toOrderMessage } from './order.mapper';
import { type NewOrder, toNewOrder } from './order-rules';
import { type OrderRecord, OrdersRepository } from './orders.repository';

export const ORDER_PAGE_TOKENS = Symbol('ORDER_PAGE_TOKENS');

/**
 * The rules of OrderService; transport-agnostic (the controller only adapts
 * gRPC to it). Requests arrive checked against their proto's field rules;
 * the UUID rule takes either letter case, so ids are lower-cased here, for
 * messages, page-token scopes and the per-user lock.
 */
@Injectable()
export class OrdersService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly users: UserDirectory,
    @Inject(ORDER_PAGE_TOKENS) private readonly pageTokens: PageTokenCodec,
  ) {}

  /**
   * Compute the order, confirm the user with user-service, then insert it
   * (with its OrderCreated event; refused if order-service learned that the
   * user was deleted). Nothing is written unless every step before the insert
   * succeeded.
   *
   * A retry (same user and idempotency key) is answered with the order it
   * placed. The key is looked up only when needed, not before every insert
   * (one statement less for each new order, the common case): when the insert
   * finds the key taken, and when a step before it fails, so that a retry
   * still gets its order while the user is gone or user-service is down.
   */
  async create(request: orderV1.CreateOrderRequest): Promise<orderV1.Order> {
    const order = toNewOrder(request);
    let created: OrderRecord | undefined;
    try {
      await this.users.assertUserExists(order.userId);
      created = await this.orders.insert(uuidv7(), order);
    } catch (error) {
      // A caller refused for the user gets nothing of that user's, not even the order its key placed.
      if (error instanceof PermissionDeniedError || error instanceof UnauthenticatedError) throw error;
      // If even the lookup fails, the step's own error is the one worth reporting.
      const previous = await this.orders.findByIdempotencyKey(order.userId, order.idempotencyKey).catch(() => undefined);
      if (previous) return toOrderMessage(this.replay(previous, order));
      throw error;
    }
    // OrderCreated is committed with the order; its commit starts the publishing.
    if (created) return toOrderMessage(created);
    // The key is taken: by the call this one retries, or a concurrent one that won the insert.
    const existing = await this.orders.findByIdempotencyKey(order.userId, order.idempotencyKey);
    if (!existing) throw new Error('idempotency conflict reported but no order found for the key');
    return toOrderMessage(this.replay(existing, order));
  }

  async get(request: orderV1.GetOrderRequest): Promise<orderV1.Order> {
    const id = request.id.toLowerCase();
    const order = await this.orders.findById(id);
    if (!order) throw new NotFoundError('order', id);
    await this.users.assertCallerActsFor(order.userId);
    return toOrderMessage(order);
  }

  async list(request: orderV1.ListOrdersRequest): Promise<orderV1.ListOrdersResponse> {
    const userId = request.userId.toLowerCase();
    await this.users.assertCallerActsFor(userId);
    const { items, nextPageToken } = await this.pageTokens.readPage(`orders:${userId}`, request, (afterId, limit) =>
      this.orders.listByUser(userId, afterId, limit),
    );
    return create(orderV1.ListOrdersResponseSchema, { orders: items.map(toOrderMessage), nextPageToken });
  }

  async cancel(request: orderV1.CancelOrderRequest): Promise<orderV1.Order> {
    const id = request.id.toLowerCase();
    // The owner is checked before anything changes (an order's user never changes, so the read stays true).
    const existing = await this.orders.findById(id);
    if (!existing) throw new NotFoundError('order', id);
    await this.users.assertCallerActsFor(existing.userId);
    const outcome = await this.orders.cancel(id);
    if (outcome === 'missing') throw new NotFoundError('order', id);
    if (outcome === 'not-open') throw new FailedPreconditionError(`order ${id} is already cancelled`);
    const order = await this.orders.findById(id);
    if (!order) throw new NotFoundError('order', id);
    return toOrderMessage(order);
  }

  /** The stored order for a repeated key, provided the repeat asks for the same items. */
  private replay(stored: OrderRecord, requested: NewOrder): OrderRecord {
    if (stored.requestHash !== requested.requestHash) {
      throw new FailedPreconditionError(
        `idempotency_key ${JSON.stringify(requested.idempotencyKey)} was already used for order ${stored.id} with different items`,
      );
    }
    return stored;
  }
}
