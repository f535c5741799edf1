import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Access } from '@acme/contracts';
import { bearerTokenOf, type Caller, InvalidTokenError, refusalOf, type TokenVerifier, UnavailableError } from '@acme/grpc-kit';

/** What a REST route carries in its Fastify route config: the access rule of the RPC it calls (rest-controller.ts). */
export interface AccessRouteConfig {
  readonly access?: { readonly rule: Access; readonly method: string };
}

/**
 * Refused at the edge: 401 (no usable token) or 403 (the token lacks a scope
 * or role), answered by the ProblemFilter with `WWW-Authenticate` (RFC 6750).
 */
export class EdgeAuthRefusal extends Error {
  constructor(
    readonly statusCode: 401 | 403,
    message: string,
    /** The WWW-Authenticate challenge to send. */
    readonly challenge: string,
  ) {
    super(message);
  }
}

/**
 * The issuer's discovery document or keys cannot be fetched, so no token can
 * be verified now: this side's failure, not the client's, so 503 with a
 * Retry-After (not a 401 that would send the client to get a new token).
 */
export class IssuerUnavailable extends Error {
  readonly retryAfterSeconds = 5;
}

const verified = new WeakMap<FastifyRequest, Caller | Error>();

/** The verified caller of this request; undefined on open routes and with AUTH_MODE=off. */
export const edgeCallerOf = (request: FastifyRequest): Caller | undefined => {
  const outcome = verified.get(request);
  return outcome instanceof Error ? undefined : outcome;
};

/**
 * Authentication at the edge, for every route whose config names an access
 * rule (the REST routes; /healthz, /readyz, /docs and /openapi.json name
 * none and stay open). In two steps:
 * - onRequest, before the rate limit (installed after this), verifies the
 *   bearer token, so the limit counts a verified caller by its subject and
 *   everyone else by address: a client cannot dodge its limit by sending bad
 *   tokens, nor pick someone else's bucket;
 * - preParsing answers 401/403 before the body is read: an unauthenticated
 *   client cannot make the gateway read (or stream upstream) a large body.
 * The services check the same rules again (the token goes with every call).
 */
export function installEdgeAuth(fastify: FastifyInstance, verifier: TokenVerifier, answer: (error: unknown, request: FastifyRequest, reply: FastifyReply) => void): void {
  const challenge = (error?: string, description?: string, scope?: string) =>
    ['Bearer realm="acme"', error && `error="${error}"`, description && `error_description="${description.replace(/["\\]/g, '')}"`, scope && `scope="${scope}"`]
      .filter(Boolean)
      .join(', ');

  fastify.addHook('onRequest', async (request) => {
    const access = (request.routeOptions.config as AccessRouteConfig | undefined)?.access;
    if (!access) return;
    const header = request.headers.authorization;
    const token = bearerTokenOf(header);
    if (token === undefined) {
      verified.set(
        request,
        header === undefined
          ? new EdgeAuthRefusal(401, `${access.method} needs an access token: send "Authorization: Bearer <token>" (see the README for how to get one)`, challenge())
          : new EdgeAuthRefusal(401, 'the Authorization header is not "Bearer <token>"', challenge('invalid_request', 'expected Bearer <token>')),
      );
      return;
    }
    try {
      verified.set(request, await verifier.verify(token));
    } catch (error) {
      verified.set(
        request,
        error instanceof InvalidTokenError
          ? new EdgeAuthRefusal(401, error.message, challenge('invalid_token', error.message))
          : error instanceof UnavailableError
            ? new IssuerUnavailable(error.message)
            : (error as Error),
      );
    }
  });

  fastify.addHook('preParsing', async (request, reply, payload) => {
    const access = (request.routeOptions.config as AccessRouteConfig | undefined)?.access;
    const outcome = verified.get(request);
    if (!access || outcome === undefined) return payload;
    if (outcome instanceof Error) {
      answer(outcome, request, reply);
      return reply;
    }
    const refusal = refusalOf(access.rule, outcome, access.method);
    if (refusal) {
      // RFC 6750 names a challenge for a missing scope; a missing role has none of its own.
      const forScope = refusal.missing.startsWith('scope');
      answer(new EdgeAuthRefusal(403, refusal.message, forScope ? challenge('insufficient_scope', refusal.message, access.rule.scopes.join(' ')) : challenge()), request, reply);
      return reply;
    }
    return payload;
  });
}
