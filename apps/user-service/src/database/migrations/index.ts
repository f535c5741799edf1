import { CreateUsers1764150000000 } from './1764150000000-create-users';

/** Every migration of user-service, oldest first. Listed explicitly: no globbing at run time. */
export const migrations = [CreateUsers1764150000000];
