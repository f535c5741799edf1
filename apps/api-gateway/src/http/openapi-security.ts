import { applyDecorators } from '@nestjs/common';
import { ApiResponse, ApiSecurity, type OpenAPIObject } from '@nestjs/swagger';
import type { SecuritySchemeObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { Access } from '@acme/contracts';
import { ADMIN_ROLE, discoveryUrlOf, PROBLEM_CONTENT_TYPE } from '@acme/grpc-kit';

// Who may call each operation, in the OpenAPI document: the same access rule
// (acme.auth.v1.access) the edge enforces (edge-auth.ts) and the service
// checks again, so the document cannot say something the gateway does not do.

/** The issuer's OpenID Connect discovery: what a client reads to find where to get a token. */
export const OIDC_SCHEME = 'openIdConnect';

/** The same token pasted by hand (Swagger UI's Authorize, curl): `Authorization: Bearer <token>`. */
export const BEARER_SCHEME = 'bearer';

/** The schemes every requirement names, for the issuer the gateway trusts (AUTH_ISSUER). */
export function securitySchemesFor(issuer: string): Record<string, SecuritySchemeObject> {
  return {
    [OIDC_SCHEME]: {
      type: 'openIdConnect',
      openIdConnectUrl: discoveryUrlOf(issuer),
      description: `Access tokens from ${issuer}; each operation lists the OAuth 2.0 scopes its token must grant.`,
    },
    [BEARER_SCHEME]: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: `An access token from ${issuer}, sent as is; it needs the scopes the operation's ${OIDC_SCHEME} requirement lists.`,
    },
  };
}

/**
 * The operation's security requirement from its access rule: a token with
 * the rule's scopes (either scheme carries it), and the 401 and 403
 * answers the edge gives when it is missing or falls short.
 */
export function ApiAccess(rule: Access): MethodDecorator {
  return applyDecorators(
    ApiSecurity(OIDC_SCHEME, [...rule.scopes]),
    ApiSecurity(BEARER_SCHEME),
    ApiResponse({
      status: 401,
      description: 'No access token, or one that is expired, not yet valid, badly signed, or for another issuer or audience (detail says which).',
      headers: { 'WWW-Authenticate': { description: 'The Bearer challenge (RFC 6750).', schema: { type: 'string' } } },
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
    }),
    ApiResponse({
      status: 403,
      description: 'The token lacks a scope or role the operation needs, or the caller acts for another user; detail names what is missing.',
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
    }),
  );
}

/** What the scopes alone do not say about who may call: the admin role, and acting only for one's own user. */
export function accessNote(rule: Access): string {
  const notes = [
    ...(rule.adminOnly ? [`**Admin only**: the caller's token must carry the \`${ADMIN_ROLE}\` role.`] : []),
    ...(rule.ownerField !== ''
      ? [`Acts for the user in \`${rule.ownerField}\`: a caller without the \`${ADMIN_ROLE}\` role may name only its own user (the one it registered).`]
      : []),
    ...(rule.ownedResource ? [`Acts on a user's resource: a caller without the \`${ADMIN_ROLE}\` role only on its own user's.`] : []),
  ];
  return notes.join(' ');
}

type Operations = Record<string, { security?: unknown[] }>;

/**
 * The document's security: the schemes for `issuer`, and `security: []` on
 * the operations no access rule covers (the probes), which the edge leaves
 * open. Without an issuer (AUTH_MODE=off) nobody is checked, so every
 * operation says it is open rather than name schemes that are not there.
 */
export function withSecurity(document: OpenAPIObject, issuer: string | undefined): OpenAPIObject {
  for (const operations of Object.values(document.paths) as Operations[]) {
    for (const operation of Object.values(operations)) {
      if (issuer === undefined || operation.security === undefined) operation.security = [];
    }
  }
  if (issuer !== undefined) document.components = { ...document.components, securitySchemes: securitySchemesFor(issuer) };
  return document;
}
