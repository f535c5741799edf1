import { CreateUsers1764150000000 } from './1764150000000-create-users';
import { CreateOutbox1795688900000 } from './1795688900000-create-outbox';

/** Every migration of user-service, oldest first. Listed explicitly: no globbing at run time. */
export const migrations = [CreateUsers1764150000000, CreateOutbox1795688900000];
