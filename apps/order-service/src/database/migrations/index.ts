import { CreateOrders1764150100000 } from './1764150100000-create-orders';
import { CreateInbox1795688900001 } from './1795688900001-create-inbox';
import { CreateDeletedUsers1795688900002 } from './1795688900002-create-deleted-users';
import { LockUserOrders1796400000000 } from './1796400000000-lock-user-orders';
import { CreateOrderChanges1796600000000 } from './1796600000000-create-order-changes';
import { CreateOutbox1795688900000, NotifyOutboxWrites1796083200001, TraceOutboxRows1796500000000 } from '@acme/messaging';

/** Every migration of order-service, oldest first. Listed explicitly: no globbing at run time. */
export const migrations = [
  CreateOrders1764150100000,
  CreateOutbox1795688900000,
  CreateInbox1795688900001,
  CreateDeletedUsers1795688900002,
  NotifyOutboxWrites1796083200001,
  LockUserOrders1796400000000,
  TraceOutboxRows1796500000000,
  CreateOrderChanges1796600000000,
];
