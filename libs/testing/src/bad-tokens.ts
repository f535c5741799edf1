import { z } from 'zod';
import { ADMIN_ROLE, authEnv, DEFAULT_AUDIENCE, tokenVerifierOptionsFromEnv, type TokenVerifierOptions } from '@acme/grpc-kit';
import { TestIssuer } from './test-issuer';

/**
 * The authentication matrix: access tokens (good and bad) and what a
 * verifier must make of each, as one table that every level runs (the
 * TokenVerifier itself, the gateway's edge, a gRPC service), so the levels
 * cannot drift apart. Verifiers under test run with the defaults of
 * authEnv, trusting a TestIssuer: matrixAuthEnv says what they are given.
 */

/**
 * The matrix's JWKS refetch cooldown: short, so that a key published now is
 * picked up in seconds rather than AUTH_JWKS_COOLDOWN_MS's default 30 s,
 * and long enough to be seen holding a refetch back.
 */
export const MATRIX_JWKS_COOLDOWN_MS = 2_000;

/** The environment of a verifier under test (process or in-process): the test issuer and the matrix's cooldown, everything else the defaults. */
export const matrixAuthEnv = (issuer: TestIssuer): Record<string, string> => ({
  AUTH_ISSUER: issuer.issuer,
  AUTH_JWKS_COOLDOWN_MS: String(MATRIX_JWKS_COOLDOWN_MS),
});

/** The options a verifier reads from matrixAuthEnv, as authEnv parses it in every process. */
export const matrixVerifierOptions = (issuer: TestIssuer): TokenVerifierOptions => {
  const options = tokenVerifierOptionsFromEnv(z.object(authEnv()).parse(matrixAuthEnv(issuer)), {});
  if (!options) throw new Error('matrixAuthEnv turned verification off');
  return options;
};

/** A test issuer for the matrix: its tokens are for the audience verifiers expect by default. */
export const startMatrixIssuer = (): Promise<TestIssuer> => TestIssuer.start({ audience: DEFAULT_AUDIENCE });

/** Who the valid tokens name: an admin who may read and write users (so every level can make a real call with it). */
export const MATRIX_CALLER = { sub: 'matrix-caller', scope: 'users:read users:write', roles: [ADMIN_ROLE] } as const;

/** Not in the default AUTH_ALGORITHMS, yet a key the issuer publishes: refused by the allowlist alone. */
export const DISALLOWED_ALGORITHM = 'ES384';

export interface TokenCase {
  readonly name: string;
  /** Makes the token; may change the issuer first (publish a key). */
  readonly token: (issuer: TestIssuer, verifier: TokenVerifierOptions) => Promise<string>;
  /** The gist of the refusal's message; undefined: accepted, as MATRIX_CALLER. */
  readonly refusal?: RegExp;
  /**
   * Signed with a key the issuer publishes only now: accepted once the
   * verifier fetches the keys again, which it does for an unknown kid unless
   * it fetched them within its refetch cooldown (AUTH_JWKS_COOLDOWN_MS).
   */
  readonly keyPublishedNow?: true;
}

const now = () => Math.floor(Date.now() / 1000);
const valid = (issuer: TestIssuer, claims = {}, options = {}) => issuer.sign({ ...MATRIX_CALLER, ...claims }, options);

/**
 * In this order: the case with a key published now comes before the unknown
 * kid, whose refetch would otherwise start a cooldown in which the new key
 * is not looked for.
 */
export const TOKEN_CASES: readonly TokenCase[] = [
  { name: 'valid (ES256)', token: (issuer) => valid(issuer) },
  { name: 'valid (RS256)', token: (issuer) => valid(issuer, {}, { alg: 'RS256' }) },
  { name: 'malformed: not a JWT', token: async () => 'not-a-jwt', refusal: /malformed/ },
  { name: 'malformed: two parts', token: async (issuer) => (await valid(issuer)).split('.').slice(0, 2).join('.'), refusal: /malformed/ },
  {
    name: 'malformed: header not base64url',
    token: async (issuer) => `~~~~.${(await valid(issuer)).split('.').slice(1).join('.')}`,
    refusal: /malformed/,
  },
  {
    name: 'wrong signature (the issuer\'s kid, another key)',
    token: async (issuer) => valid(issuer, {}, { key: await TestIssuer.foreignKey('ES256') }),
    refusal: /signature does not verify/,
  },
  { name: 'wrong issuer', token: (issuer) => valid(issuer, { iss: 'https://login.elsewhere.example' }), refusal: /another issuer/ },
  { name: 'wrong audience', token: (issuer) => valid(issuer, { aud: 'https://other-api.example' }), refusal: /another audience/ },
  { name: 'no sub', token: (issuer) => valid(issuer, { sub: undefined }), refusal: /\bsub\b.*claim is missing/ },
  { name: 'expired beyond the clock skew', token: (issuer, { clockSkewSeconds }) => valid(issuer, { exp: now() - 2 * clockSkewSeconds }), refusal: /has expired/ },
  { name: 'expired within the clock skew', token: (issuer, { clockSkewSeconds }) => valid(issuer, { exp: now() - Math.floor(clockSkewSeconds / 2) }) },
  { name: 'nbf beyond the clock skew', token: (issuer, { clockSkewSeconds }) => valid(issuer, { nbf: now() + 2 * clockSkewSeconds }), refusal: /not valid yet/ },
  { name: 'alg none (unsigned)', token: (issuer) => valid(issuer, {}, { alg: 'none', kid: issuer.kid('ES256') }), refusal: /algorithm this API does not accept/ },
  {
    // The classic key confusion: a verifier that takes the key's bytes as an HMAC secret would accept it.
    name: 'HS256 signed with the RS256 public key',
    token: async (issuer) => valid(issuer, {}, { alg: 'HS256', kid: issuer.kid('RS256'), secret: new TextEncoder().encode(await issuer.publicKeyPem('RS256')) }),
    refusal: /algorithm this API does not accept/,
  },
  {
    name: `${DISALLOWED_ALGORITHM} (not in AUTH_ALGORITHMS)`,
    token: async (issuer, { algorithms }) => {
      if (algorithms.includes(DISALLOWED_ALGORITHM)) throw new Error(`the verifier accepts ${DISALLOWED_ALGORITHM}: this case would test nothing`);
      return valid(issuer, {}, { alg: DISALLOWED_ALGORITHM });
    },
    refusal: /algorithm this API does not accept/,
  },
  {
    name: 'unknown kid, the issuer has rotated',
    token: async (issuer) => {
      await issuer.rotate('ES256');
      return valid(issuer);
    },
    keyPublishedNow: true,
  },
  { name: 'unknown kid, not at the issuer', token: (issuer) => valid(issuer, {}, { kid: 'no-such-key' }), refusal: /no key of the issuer matches/ },
];

/** Tokens of a burst, each naming a different kid the issuer does not have: a verifier must not fetch the JWKS for each. */
export const UNKNOWN_KID_BURST = 20;
export const unknownKidTokens = (issuer: TestIssuer): Promise<string[]> =>
  Promise.all(Array.from({ length: UNKNOWN_KID_BURST }, (_, i) => valid(issuer, {}, { kid: `burst-unknown-${i}` })));

/** What the processes are sent instead of a bearer token (the TokenVerifier never sees these). */
export interface CredentialCase {
  readonly name: string;
  /** The Authorization header (metadata); undefined: none. */
  readonly authorization: string | undefined;
  /** RFC 6750's error code in the edge's challenge; undefined: a challenge without one. */
  readonly oauthError: 'invalid_request' | undefined;
  readonly refusal: RegExp;
}

export const CREDENTIAL_CASES: readonly CredentialCase[] = [
  { name: 'no token', authorization: undefined, oauthError: undefined, refusal: /needs an access token/ },
  { name: 'Basic credentials', authorization: `Basic ${Buffer.from('matrix-caller:secret').toString('base64')}`, oauthError: 'invalid_request', refusal: /is not "Bearer <token>"/ },
];

/** One level's observations as a two-column table (case, observed), for the test output. */
export function matrixTable(level: string, rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([name]) => name.length));
  return [`${level}:`, ...rows.map(([name, observed]) => `  ${name.padEnd(width)}  ${observed}`)].join('\n');
}
