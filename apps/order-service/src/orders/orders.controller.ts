import { Controller } from '@nestjs/common';
import { orderV1, type ServiceHandlers } from '@acme/contracts';
import { GrpcServiceController } from '@acme/grpc-kit';
import { OrdersService } from './orders.service';
import { OrderWatchService } from '../watch/order-watch.service';

/** acme.order.v1.OrderService over gRPC: each RPC hands its request to OrdersService. */
@Controller()
@GrpcServiceController(orderV1.OrderService)
export class OrdersController implements ServiceHandlers<typeof orderV1.OrderService> {
  constructor(
    private readonly orders: OrdersService,
    private readonly watcher: OrderWatchService,
  ) {}

  createOrder(request: orderV1.CreateOrderRequest): Promise<orderV1.Order> {
    return this.orders.create(request);
  }

  getOrder(request: orderV1.GetOrderRequest): Promise<orderV1.Order> {
    return this.orders.get(request);
  }

  listOrders(request: orderV1.ListOrdersRequest): Promise<orderV1.ListOrdersResponse> {
    return this.orders.list(request);
  }

  cancelOrder(request: orderV1.CancelOrderRequest): Promise<orderV1.Order> {
    return this.orders.cancel(request);
  }

  watchOrders(request: orderV1.WatchOrdersRequest): AsyncIterable<orderV1.OrderUpdate> {
    // A pushed stream (pushedStream): it gets its own PushedStream in place of the StreamCall.
    return this.watcher.watch(request);
  }
}
