import { OrderService } from './gen/acme/order/v1/order_pb';
import { UserService } from './gen/acme/user/v1/user_pb';

/** The system's gRPC services, as generated. Their typeName is what health checks and reflection use. */
export const SERVICES = { user: UserService, order: OrderService } as const;
