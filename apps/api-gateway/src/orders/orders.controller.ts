import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiCreatedWithKey, ApiIdParam, ApiIdempotencyKeyHeader, ApiPageQueries } from '../http/api-params';
import { pageSize } from '../http/json-values';
import { ApiProblems } from '../http/problem.schema';
import { INT64_MAX } from '../http/schema-patterns';
import { EdgeValidationError } from '../http/validation-error';
import { ORDER_SERVICE, type OrderService } from '../upstreams/upstreams.module';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyHeaders, idParams, pageQuery, type PageQuery } from '../http/common.schemas';
import { type CreateOrderBody, createOrderBody } from './order.schemas';
import { type OrderPageView, type OrderView, orderPageView, orderView } from './order.view';

const ORDER = { $ref: '#/components/schemas/Order' };

/** /orders and /users/:id/orders: thin translation between REST and acme.order.v1.OrderService. */
@ApiTags('orders')
@Controller()
export class OrdersController {
  constructor(@Inject(ORDER_SERVICE) private readonly orders: OrderService) {}

  /**
   * Every CreateOrder carries an idempotency key: the client's, or one made
   * here. With it the gateway's own retries (on UNAVAILABLE) cannot create a
   * second order, and the key is returned so the client can retry safely too
   * (it is set before the call, so error answers carry it as well).
   */
  @Post('orders')
  @HttpCode(201)
  @RouteSchema({ body: createOrderBody, headers: idempotencyKeyHeaders })
  @ApiOperation({ operationId: 'createOrder', summary: 'Place an order (idempotent per user and Idempotency-Key)' })
  @ApiIdempotencyKeyHeader('Unique per intended order; repeat it on retries. Generated when absent. Echoed in the response.')
  @ApiBody({ schema: { $ref: '#/components/schemas/CreateOrderRequest' } })
  @ApiCreatedWithKey({
    what: 'order',
    description: 'Created, or the order an earlier request with the same key created.',
    schema: ORDER,
    echoedKey: 'The key used: repeat it to retry safely.',
  })
  @ApiProblems(400, 413, 415, 422)
  async createOrder(
    @Body() body: CreateOrderBody,
    @Headers(IDEMPOTENCY_KEY_HEADER) clientKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderView> {
    // The body's decimal strings (CENTS_PATTERN) become the proto's int64; 19 digits can exceed it.
    const items = body.items.map(({ sku, quantity, unitPriceCents: cents }, i) => {
      const unitPriceCents = BigInt(cents);
      if (unitPriceCents > INT64_MAX) throw new EdgeValidationError(`items[${i}].unitPriceCents`, `must be at most ${INT64_MAX}`);
      return { sku, quantity, unitPriceCents };
    });
    const idempotencyKey = clientKey ?? randomUUID();
    void reply.header(IDEMPOTENCY_KEY_HEADER, idempotencyKey);
    const order = orderView(await this.orders.createOrder({ userId: body.userId, items, idempotencyKey }));
    void reply.header('location', `/orders/${order.id}`);
    return order;
  }

  @Get('orders/:id')
  @RouteSchema({ params: idParams })
  @ApiOperation({ operationId: 'getOrder', summary: 'Get an order' })
  @ApiIdParam('order')
  @ApiResponse({ status: 200, description: 'The order.', schema: ORDER })
  @ApiProblems(400, 404)
  async getOrder(@Param('id') id: string): Promise<OrderView> {
    return orderView(await this.orders.getOrder({ id }));
  }

  @Get('users/:id/orders')
  @RouteSchema({ params: idParams, querystring: pageQuery })
  @ApiOperation({ operationId: 'listUserOrders', summary: "List a user's orders, oldest first (empty for an unknown user)" })
  @ApiIdParam('user')
  @ApiPageQueries()
  @ApiResponse({ status: 200, description: 'One page of orders.', schema: { $ref: '#/components/schemas/OrderPage' } })
  @ApiProblems(400)
  async listUserOrders(@Param('id') userId: string, @Query() query: PageQuery): Promise<OrderPageView> {
    return orderPageView(
      await this.orders.listOrders({ userId, pageSize: pageSize(query.page_size), pageToken: query.page_token ?? '' }),
    );
  }

  @Post('orders/:id/cancel')
  @HttpCode(200)
  @RouteSchema({ params: idParams })
  @ApiOperation({ operationId: 'cancelOrder', summary: 'Cancel an order (no body)' })
  @ApiIdParam('order')
  @ApiResponse({ status: 200, description: 'The cancelled order.', schema: ORDER })
  @ApiProblems(400, 404, 422)
  async cancelOrder(@Param('id') id: string): Promise<OrderView> {
    return orderView(await this.orders.cancelOrder({ id }));
  }
}
