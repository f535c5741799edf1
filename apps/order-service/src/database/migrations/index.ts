import { CreateOrders1764150100000 } from './1764150100000-create-orders';

/** Every migration of order-service, oldest first. Listed explicitly: no globbing at run time. */
export const migrations = [CreateOrders1764150100000];
