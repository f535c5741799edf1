import { z } from 'zod';
import { ConfigError, deploymentEnvironment, millisVar } from '@acme/config';
import type { TokenVerifierOptions } from './token-verifier';

/**
 * The development identity provider's issuer (apps/identity-provider, which
 * `npm start` runs): the fallback of AUTH_ISSUER outside production.
 */
export const DEVELOPMENT_ISSUER = 'http://127.0.0.1:9400';
/** This API's audience (the `aud` its tokens carry) unless configured otherwise. */
export const DEFAULT_AUDIENCE = 'https://api.acme.example';

/**
 * Signature algorithms a verifier may be told to accept: asymmetric ones
 * only. HS* would let anyone holding the (public) verification key sign
 * tokens; `none` signs nothing.
 */
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** Environment variables of every process that verifies access tokens (the gateway and every gRPC service). */
export const authEnv = () => ({
  /**
   * `jwt`: every call needs a verified access token. `off`: nobody is
   * checked and nothing is forwarded (benchmarks of the bare call path, and
   * tests of other things); refused in production.
   */
  AUTH_MODE: z
    .enum(['jwt', 'off'])
    .optional()
    .transform((v) => v ?? 'jwt'),
  AUTH_ISSUER: z
    .url({ message: 'expected the OIDC issuer URL, e.g. https://login.example.com/realms/acme' })
    .optional()
    .transform((v) => v ?? DEVELOPMENT_ISSUER),
  AUTH_AUDIENCE: z
    .string()
    .trim()
    .min(1)
    .optional()
    .transform((v) => v ?? DEFAULT_AUDIENCE),
  /** Where the issuer's signing keys are; unset: its discovery document's jwks_uri. */
  AUTH_JWKS_URL: z
    .url()
    .optional()
    .transform((v): string | undefined => v),
  /** Accepted difference between our clock and the issuer's, for exp and nbf. */
  AUTH_CLOCK_SKEW_SECONDS: z.coerce
    .number({ message: 'expected a number of seconds' })
    .int()
    .min(0)
    .max(300)
    .optional()
    .transform((v) => v ?? 30),
  /**
   * After fetching the signing keys, how long a token with an unknown key id
   * is refused without fetching them again: bounds the load a stream of
   * forged key ids puts on the issuer, and how late a key the issuer has
   * just published is picked up.
   */
  AUTH_JWKS_COOLDOWN_MS: millisVar(30_000, 1_000, 600_000),
  AUTH_ALGORITHMS: z
    .string()
    .optional()
    .transform((v) => (v ?? 'RS256,PS256,ES256,EdDSA').split(',').map((s) => s.trim()))
    .pipe(z.array(z.enum(ASYMMETRIC_ALGORITHMS, { message: `expected a comma-separated list of ${ASYMMETRIC_ALGORITHMS.join(', ')}` })).min(1)),
  /** The claim holding the caller's roles; a dotted path for nested claims (Keycloak: realm_access.roles). */
  AUTH_ROLES_CLAIM: z
    .string()
    .trim()
    .min(1)
    .optional()
    .transform((v) => v ?? 'roles'),
});

type Shape = ReturnType<typeof authEnv>;
export type AuthEnv = { [K in keyof Shape]: z.output<Shape[K]> };

/** The verifier's options, or undefined with AUTH_MODE=off. Throws (at boot) for what production must not run with. */
export function tokenVerifierOptionsFromEnv(env: AuthEnv, rawEnv: Record<string, string | undefined> = process.env): TokenVerifierOptions | undefined {
  if (deploymentEnvironment(rawEnv) === 'production') {
    const problems = [
      ...(env.AUTH_MODE === 'off' ? ['AUTH_MODE: off is refused in production (every call would be trusted)'] : []),
      ...(rawEnv['AUTH_ISSUER'] === undefined ? ['AUTH_ISSUER: required in production (the development issuer is a fallback for local runs only)'] : []),
    ];
    if (problems.length > 0) throw new ConfigError(problems);
  }
  if (env.AUTH_MODE === 'off') return undefined;
  return {
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
    ...(env.AUTH_JWKS_URL ? { jwksUrl: env.AUTH_JWKS_URL } : {}),
    clockSkewSeconds: env.AUTH_CLOCK_SKEW_SECONDS,
    jwksCooldownMs: env.AUTH_JWKS_COOLDOWN_MS,
    algorithms: env.AUTH_ALGORITHMS,
    rolesClaim: env.AUTH_ROLES_CLAIM,
  };
}
