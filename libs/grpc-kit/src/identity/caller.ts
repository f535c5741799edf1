import { PermissionDeniedError } from '../errors/status-errors';

/** The role whose holders may act for any user (operators, support). The only role the access rules know. */
export const ADMIN_ROLE = 'admin';

/** Who is calling: the verified claims of its access token, and the token itself (forwarded upstream as is). */
export interface Caller {
  /** The token's `sub`: the identity a user record is bound to. */
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
  /** The compact JWT, for the next hop's own verification. */
  readonly token: string;
  /** When the token expires (epoch ms). */
  readonly expiresAt: number;
}

export const isAdmin = (caller: Caller): boolean => caller.roles.has(ADMIN_ROLE);

/**
 * Throws unless `caller` may act for the user bound to `ownerSubject` (null:
 * bound to no subject, e.g. created by an admin). `what` names the resource
 * for the message, e.g. `user 0190...`.
 */
export function assertActsFor(caller: Caller, ownerSubject: string | null, what: string): void {
  if (isAdmin(caller) || (ownerSubject !== null && ownerSubject === caller.subject)) return;
  throw new PermissionDeniedError(`${what} belongs to another user: the caller (${caller.subject}) acts only for its own user unless it has the ${ADMIN_ROLE} role`);
}
