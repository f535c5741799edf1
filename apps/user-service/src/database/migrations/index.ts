import { CreateUsers1764150000000 } from './1764150000000-create-users';
import { AddUserIdempotencyKey1796083200000 } from './1796083200000-add-user-idempotency-key';
import { AddUserSubject1796700000000 } from './1796700000000-add-user-subject';
import { CreateOutbox1795688900000, NotifyOutboxWrites1796083200001, TraceOutboxRows1796500000000 } from '@acme/messaging';

/** Every migration of user-service, oldest first. Listed explicitly: no globbing at run time. */
export const migrations = [
  CreateUsers1764150000000,
  CreateOutbox1795688900000,
  AddUserIdempotencyKey1796083200000,
  NotifyOutboxWrites1796083200001,
  TraceOutboxRows1796500000000,
  AddUserSubject1796700000000,
];
