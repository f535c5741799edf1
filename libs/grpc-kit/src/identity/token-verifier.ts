import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { UnauthenticatedError, UnavailableError } from '../errors/status-errors';
import type { Caller } from './caller';

export interface TokenVerifierOptions {
  /** The OIDC issuer (`iss`), e.g. https://login.example.com/realms/acme. */
  readonly issuer: string;
  /** This API's identifier; the token's `aud` must contain it. */
  readonly audience: string;
  /** Where the signing keys are; undefined: the issuer's discovery document says (`jwks_uri`). */
  readonly jwksUrl?: string;
  /** Leeway for `exp` and `nbf` between our clock and the issuer's. */
  readonly clockSkewSeconds: number;
  /** After a fetch of the keys, how long an unknown key id is refused without fetching them again. */
  readonly jwksCooldownMs: number;
  /** Signature algorithms accepted (asymmetric only: see authEnv). */
  readonly algorithms: readonly string[];
  /** Claim (dotted path for nested claims, e.g. realm_access.roles) holding the caller's roles. */
  readonly rolesClaim: string;
}

/** OpenID Connect Discovery 1.0, section 4: where an issuer publishes its configuration. */
export const discoveryUrlOf = (issuer: string): string => `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;

/** Verified tokens remembered, at most (a few MB). */
const VERIFIED_CACHE_SIZE = 10_000;
/** How long a verified token is believed without checking it again; bounds how late a key withdrawn by the issuer is noticed. */
const VERIFIED_TTL_MS = 60_000;

/** Why a token was refused, for `WWW-Authenticate: Bearer error=...` (RFC 6750) and the status message. */
export class InvalidTokenError extends UnauthenticatedError {
  /** undefined when no token was sent at all (RFC 6750: then no error code). */
  readonly oauthError: 'invalid_token' | 'invalid_request' | undefined;
  constructor(message: string, oauthError: InvalidTokenError['oauthError'] = 'invalid_token') {
    super(message);
    this.oauthError = oauthError;
  }
}

/**
 * Verifies OAuth 2.0 JWT access tokens from one issuer: signature against the
 * issuer's published keys (fetched once, cached, fetched again when a token
 * names a key id not in the cache, at most every 30 s: key rotation works
 * without a restart), `iss`, `aud`, `exp`/`nbf` within the clock skew, and an
 * algorithm allowlist (a token signed with `none`, or with HS256 using the
 * public key as the secret, finds no key and is refused).
 */
export class TokenVerifier {
  private keys: Promise<JWTVerifyGetKey> | undefined;
  /**
   * Tokens verified lately, until they expire or for VERIFIED_TTL_MS at most.
   * An ES256 verification costs ~250 us of CPU, and a client sends the same
   * token on every call for its whole lifetime (and each hop verifies it
   * again). Map order is insertion order: the oldest entry goes first when full.
   */
  private readonly verified = new Map<string, { readonly caller: Caller; readonly until: number }>();

  constructor(readonly options: TokenVerifierOptions) {}

  /** The caller the token identifies; throws InvalidTokenError (UNAUTHENTICATED) or UnavailableError when the keys cannot be fetched. */
  async verify(token: string): Promise<Caller> {
    const now = Date.now();
    const cached = this.verified.get(token);
    if (cached && cached.until > now) return cached.caller;
    if (cached) this.verified.delete(token);
    const caller = await this.verifyNow(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, { caller, until: Math.min(now + VERIFIED_TTL_MS, caller.expiresAt) });
    return caller;
  }

  private async verifyNow(token: string): Promise<Caller> {
    const keys = await this.signingKeys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockSkewSeconds,
        algorithms: [...this.options.algorithms],
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      throw refusalOf(error, this.options.algorithms);
    }
    return {
      subject: String(payload.sub),
      scopes: new Set(stringList(payload['scope'] ?? payload['scp'])),
      roles: new Set(stringList(claimAt(payload, this.options.rolesClaim))),
      token,
      expiresAt: Number(payload.exp) * 1000,
    };
  }

  private signingKeys(): Promise<JWTVerifyGetKey> {
    // A failed discovery is not cached: the next call tries again.
    this.keys ??= this.discoverKeys().catch((error: unknown) => {
      this.keys = undefined;
      throw error;
    });
    return this.keys;
  }

  private async discoverKeys(): Promise<JWTVerifyGetKey> {
    const url = this.options.jwksUrl ?? (await this.discoveredJwksUrl());
    const remote = createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: this.options.jwksCooldownMs });
    return async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        throw keysUnavailable(error, url);
      }
    };
  }

  private async discoveredJwksUrl(): Promise<string> {
    const where = discoveryUrlOf(this.options.issuer);
    let document: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await fetch(where, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (error) {
      throw new UnavailableError(`the identity provider's discovery document (${where}) cannot be read: ${error instanceof Error ? error.message : String(error)}; retry later`);
    }
    if (document.issuer !== this.options.issuer) throw new UnavailableError(`${where} names the issuer ${String(document.issuer)}, not the configured ${this.options.issuer}`);
    if (typeof document.jwks_uri !== 'string') throw new UnavailableError(`${where} has no jwks_uri`);
    return document.jwks_uri;
  }
}

/** What the caller is told, per jose's failure: which check failed, never the token. */
function refusalOf(error: unknown, algorithms: readonly string[]): Error {
  if (error instanceof errors.JWTExpired) return new InvalidTokenError('the access token has expired: get a new one');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return new InvalidTokenError('the access token is not valid yet (nbf): check the clocks of the issuer and this host');
    if (error.claim === 'iss') return new InvalidTokenError('the access token was issued by another issuer than this API trusts');
    if (error.claim === 'aud') return new InvalidTokenError('the access token is for another audience than this API');
    return new InvalidTokenError(`the access token's "${error.claim}" claim is missing or invalid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError(`the access token is signed with an algorithm this API does not accept (it accepts ${algorithms.join(', ')})`);
  if (error instanceof errors.JWKSNoMatchingKey) return new InvalidTokenError("no key of the issuer matches the access token's key id and algorithm");
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InvalidTokenError('the access token signature does not verify');
  if (error instanceof errors.JOSEError) return new InvalidTokenError('the access token is malformed (not a signed JWT)');
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * What the key lookup's failure means. No key (or several) for the token's
 * kid and algorithm is the token's fault; anything else failed to fetch the
 * keys: a timeout, no connection (TypeError), an answer that is not 200 or
 * not a JWKS. jose reports the last two as a bare JOSEError, which
 * refusalOf would otherwise read as a malformed token: a 401 telling the
 * client to fix a token that is fine, while the issuer is the one in trouble.
 */
function keysUnavailable(error: unknown, url: string): unknown {
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return error;
  return new UnavailableError(`the identity provider's keys cannot be fetched from ${url} (${error instanceof Error ? error.message : String(error)}); retry later`);
}

function claimAt(payload: JWTPayload, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), payload);
}

/** A space-separated string (RFC 9068 `scope`) or an array of strings (`scp`, `roles`). */
function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((s) => s !== '');
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
}
