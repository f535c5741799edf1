import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { SERVICES } from '@acme/contracts';
import { createUpstreamClient, GRPC_CHANNEL_CREDENTIALS, type Upstream } from '@acme/grpc-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { checkRulesAtEdge } from './edge-rules';
import { labelFailures } from './upstream-failure';

export const USER_SERVICE = Symbol('USER_SERVICE');
export const ORDER_SERVICE = Symbol('ORDER_SERVICE');

export type UserService = Upstream<typeof SERVICES.user>;
export type OrderService = Upstream<typeof SERVICES.order>;

/**
 * One long-lived channel per upstream for unary calls, created at startup
 * and closed at shutdown, and channels of their own for its streams (watches,
 * imports), opened as they are needed (see UPSTREAM_STREAMS_PER_CONNECTION). Only calls the protos declare safe to repeat are retried: reads,
 * and CreateOrder because it carries an idempotency key. CreateUser,
 * DeleteUser and CancelOrder are never retried blindly. Every request is
 * checked against its proto's field rules before it is sent. Imported by the
 * modules whose controllers call them (one instance, shared).
 */
@Module({
  providers: [
    {
      provide: USER_SERVICE,
      inject: [GATEWAY_CONFIG, GRPC_CHANNEL_CREDENTIALS],
      useFactory: (config: GatewayConfig, credentials: ChannelCredentials): UserService =>
        checkRulesAtEdge(
          SERVICES.user,
          labelFailures(
            'user-service',
            SERVICES.user,
            createUpstreamClient({
              target: config.USER_SERVICE_URL,
              service: SERVICES.user,
              deadlineMs: config.USER_SERVICE_DEADLINE_MS,
              clientStreamDeadlineMs: config.USER_SERVICE_STREAM_DEADLINE_MS,
              streams: { maxOpen: config.USER_SERVICE_MAX_STREAMS, perConnection: config.UPSTREAM_STREAMS_PER_CONNECTION },
              credentials,
            }),
          ),
        ),
    },
    {
      provide: ORDER_SERVICE,
      inject: [GATEWAY_CONFIG, GRPC_CHANNEL_CREDENTIALS],
      useFactory: (config: GatewayConfig, credentials: ChannelCredentials): OrderService =>
        checkRulesAtEdge(
          SERVICES.order,
          labelFailures(
            'order-service',
            SERVICES.order,
            createUpstreamClient({
              target: config.ORDER_SERVICE_URL,
              service: SERVICES.order,
              deadlineMs: config.ORDER_SERVICE_DEADLINE_MS,
              streams: { maxOpen: config.ORDER_SERVICE_MAX_STREAMS, perConnection: config.UPSTREAM_STREAMS_PER_CONNECTION },
              credentials,
            }),
          ),
        ),
    },
  ],
  exports: [USER_SERVICE, ORDER_SERVICE],
})
export class UpstreamsModule implements OnApplicationShutdown {
  constructor(
    @Inject(USER_SERVICE) private readonly users: UserService,
    @Inject(ORDER_SERVICE) private readonly orders: OrderService,
  ) {}

  // Runs after the HTTP server has finished its last request.
  onApplicationShutdown(): void {
    this.users.close();
    this.orders.close();
    new Logger('Upstreams').log('upstream channels closed');
  }
}
