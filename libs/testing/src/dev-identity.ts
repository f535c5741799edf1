import { readFileSync } from 'node:fs';
import { workspacePath } from './workspace';

/** The development identity provider's app name (apps/identity-provider). */
export const IDENTITY_PROVIDER_APP = 'identity-provider';

/** The development provider's demo principals, by client id (apps/identity-provider/src/dev-clients.json). */
export type DemoPrincipal = 'alice' | 'bob' | 'reader' | 'admin';

interface DemoClient {
  readonly client_id: string;
  readonly client_secret: string;
  readonly scope: string;
}

const demoClients = (): readonly DemoClient[] =>
  (JSON.parse(readFileSync(workspacePath('apps/identity-provider/src/dev-clients.json'), 'utf8')) as { clients: DemoClient[] }).clients;

/**
 * Access tokens from a running development identity provider, got the way a
 * user gets them (the client credentials grant over HTTP): tests call the
 * system with real tokens, not a bypass. Cached per principal and scope.
 */
export class DevIdentity {
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(readonly issuer: string) {}

  /** A token for `principal` with all its scopes, or only `scopes`. */
  token(principal: DemoPrincipal, scopes?: readonly string[]): Promise<string> {
    const key = `${principal} ${scopes?.join(' ') ?? '*'}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = this.fetchToken(principal, scopes);
      this.tokens.set(key, token);
      token.catch(() => this.tokens.delete(key));
    }
    return token;
  }

  private async fetchToken(principal: DemoPrincipal, scopes: readonly string[] | undefined): Promise<string> {
    const client = demoClients().find((c) => c.client_id === principal);
    if (!client) throw new Error(`dev-clients.json has no client ${principal}`);
    const response = await fetch(`${this.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: scopes?.join(' ') ?? client.scope }),
    });
    const answer = (await response.json()) as { access_token?: string; error_description?: string };
    if (!response.ok || !answer.access_token) throw new Error(`${this.issuer}/token refused ${principal}: ${response.status} ${answer.error_description ?? ''}`);
    return answer.access_token;
  }
}
