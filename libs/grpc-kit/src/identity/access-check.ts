import type { Access } from '@acme/contracts';
import { ADMIN_ROLE, type Caller } from './caller';

export type AccessRefusal = { readonly kind: 'permission'; readonly message: string; readonly missing: string };

/**
 * What `rule` (a method's acme.auth.v1.access option) refuses `caller`, by
 * what the token says alone: its scopes and the admin role. Ownership needs
 * the resource, so the service checks it (assertActsFor); an admin passes
 * ownership checks but still needs the scopes.
 */
export function refusalOf(rule: Access, caller: Caller, method: string): AccessRefusal | undefined {
  const missingScope = rule.scopes.find((scope) => !caller.scopes.has(scope));
  if (missingScope !== undefined) {
    return { kind: 'permission', missing: `scope ${missingScope}`, message: `${method} needs the scope "${missingScope}", which the access token does not grant` };
  }
  if (rule.adminOnly && !caller.roles.has(ADMIN_ROLE)) {
    return { kind: 'permission', missing: `role ${ADMIN_ROLE}`, message: `${method} needs the "${ADMIN_ROLE}" role, which the caller (${caller.subject}) does not have` };
  }
  return undefined;
}
