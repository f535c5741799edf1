import { readFileSync } from 'node:fs';
import { generateKeyPair, exportJWK } from 'jose';
import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';
import demoClients from './dev-clients.json';

/** One demo principal of dev-clients.json. */
export interface DemoClient {
  readonly client_id: string;
  readonly client_secret: string;
  /** The scopes it may ask for, space-separated; a token request without `scope` gets them all. */
  readonly scope: string;
  readonly roles: readonly string[];
}

/** The demo clients shipped (dev-clients.json, compiled in so the image needs no other file). */
export const DEMO_CLIENTS: readonly DemoClient[] = demoClients.clients;

/** Other clients, from a file of the same shape (CLIENTS_FILE). */
export function readDemoClients(file: string): DemoClient[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { clients?: DemoClient[] };
  if (!Array.isArray(parsed.clients) || parsed.clients.length === 0) throw new Error(`${file}: expected {"clients": [...]} with at least one client`);
  return parsed.clients;
}

export interface ProviderOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  readonly clients: readonly DemoClient[];
}

/**
 * An OpenID Provider (oidc-provider, certified) for local runs and tests:
 * the OAuth 2.0 client credentials grant for the demo clients, each client
 * one principal (the token's `sub` is its client_id), issuing RFC 9068 JWT
 * access tokens for the one API audience, signed ES256 with a key made at
 * start (a restart rotates it; verifiers fetch the new key by its kid).
 * Roles travel in a `roles` claim, as Entra ID names it.
 */
export async function createProvider(options: ProviderOptions): Promise<Provider> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: `dev-${Date.now().toString(36)}` };
  const rolesOf = new Map(options.clients.map((c) => [c.client_id, c.roles]));
  const allScopes = [...new Set(options.clients.flatMap((c) => c.scope.split(' ')))].join(' ');

  const configuration: Configuration = {
    clients: options.clients.map(
      (c): ClientMetadata => ({
        client_id: c.client_id,
        client_secret: c.client_secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: c.scope,
        token_endpoint_auth_method: 'client_secret_basic',
        // The only key is ES256 (no ID token is ever issued, but the metadata must name an algorithm it has).
        id_token_signed_response_alg: 'ES256',
      }),
    ),
    jwks: { keys: [signingKey] },
    scopes: allScopes.split(' '),
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: false },
      revocation: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Tokens are for the API unless the client names it anyway.
        defaultResource: () => options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== options.audience) throw new Error(`unknown resource ${resource}; this provider issues tokens for ${options.audience} only`);
          return {
            scope: allScopes,
            audience: options.audience,
            accessTokenTTL: options.accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    extraTokenClaims: (_ctx, token) => {
      const clientId = 'clientId' in token ? token.clientId : undefined;
      const roles = clientId === undefined ? undefined : rolesOf.get(clientId);
      return roles && roles.length > 0 ? { roles: [...roles] } : undefined;
    },
    // Unused flows still need a setting; none of them is reachable (no interactions).
    pkce: { required: () => true },
  };
  return new Provider(options.issuer, configuration);
}
