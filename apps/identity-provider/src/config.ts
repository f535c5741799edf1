import { z } from 'zod';
import { loadConfig, portVar } from '@acme/config';
import { DEFAULT_AUDIENCE, DEVELOPMENT_ISSUER, processEnv } from '@acme/grpc-kit';

const DEVELOPMENT_PORT = Number(new URL(DEVELOPMENT_ISSUER).port);

/** Every environment variable the development identity provider reads. */
export const identityProviderEnv = z.object({
  HTTP_HOST: z.string().trim().min(1).optional().transform((v) => v ?? '127.0.0.1'),
  /** 0 picks a free port (tests). */
  HTTP_PORT: portVar(DEVELOPMENT_PORT, true),
  /**
   * The issuer URL as the services reach it (the `iss` of every token);
   * unset: http://HTTP_HOST:port. In compose, http://identity-provider:9400.
   */
  ISSUER: z.url().optional(),
  /** The API's audience: the `aud` of every access token. The services' AUTH_AUDIENCE. */
  AUDIENCE: z.string().trim().min(1).optional().transform((v) => v ?? DEFAULT_AUDIENCE),
  /** Lifetime of an access token. */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).optional().transform((v) => v ?? 3_600),
  /** Clients to serve instead of the demo clients (a file shaped like src/dev-clients.json). */
  CLIENTS_FILE: z.string().trim().min(1).optional(),
  ...processEnv(),
});

export type IdentityProviderConfig = z.infer<typeof identityProviderEnv>;

export const loadIdentityProviderConfig = (env: Record<string, string | undefined> = process.env): IdentityProviderConfig => loadConfig(identityProviderEnv, env);
