import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK, SignJWT } from 'jose';

/** The key types a TestIssuer holds and publishes. ES384 is outside the verifiers' default AUTH_ALGORITHMS, for refusing an algorithm by the allowlist alone. */
export type IssuerAlgorithm = 'ES256' | 'RS256' | 'ES384';
const ISSUER_ALGORITHMS: readonly IssuerAlgorithm[] = ['ES256', 'RS256', 'ES384'];

interface SigningKey {
  readonly kid: string;
  readonly alg: IssuerAlgorithm;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

/** Claims of a token; each defaults to a valid value (see TestIssuer.sign), `undefined` leaves the claim out. */
export interface TokenClaims {
  readonly iss?: string;
  readonly aud?: string | readonly string[];
  readonly sub?: string;
  /** Epoch seconds, as in the token. */
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly scope?: string;
  readonly roles?: readonly string[];
  readonly [claim: string]: unknown;
}

export interface SignOptions {
  /**
   * The header's `alg`. One of the issuer's algorithms: signed with its
   * current key of that algorithm. `none`: unsigned (empty signature).
   * `HS256`: an HMAC with `secret`. Default ES256.
   */
  readonly alg?: IssuerAlgorithm | 'none' | 'HS256';
  /** The header's `kid`; default the signing key's (for none and HS256: none). */
  readonly kid?: string;
  /** Sign with this private key instead of the issuer's (a forger's key). */
  readonly key?: CryptoKey;
  /** The HMAC secret for HS256. */
  readonly secret?: Uint8Array;
}

const epochSeconds = () => Math.floor(Date.now() / 1000);
/** How long a token lives unless its claims say otherwise. */
const DEFAULT_LIFETIME_SECONDS = 300;

/**
 * An OIDC issuer stand-in for tests, on a free loopback port: it serves the
 * discovery document and a JWKS (node:http, as a real issuer would be
 * reached), holds one current key per algorithm (plus keys kept across
 * rotations) and signs whatever a test asks for: valid tokens, and the
 * wrong ones a verifier must refuse. It counts the JWKS fetches, so a test
 * sees when a verifier goes back for keys.
 */
export class TestIssuer {
  /** Keys published in the JWKS, oldest first; the last of each algorithm signs. */
  private keys: SigningKey[] = [];
  private generation = 0;
  private fetches = 0;
  /** When set, the JWKS endpoint answers this status instead of the keys (an issuer in trouble). */
  jwksFailureStatus: number | undefined;

  private constructor(
    private readonly server: Server,
    /** The `iss` of its tokens and the base of its endpoints, e.g. http://127.0.0.1:41234. */
    readonly issuer: string,
    /** The `aud` of its tokens unless a test says otherwise. */
    readonly audience: string,
  ) {}

  static async start(options: { readonly audience: string }): Promise<TestIssuer> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const issuer = new TestIssuer(server, `http://127.0.0.1:${port}`, options.audience);
    for (const alg of ISSUER_ALGORITHMS) await issuer.rotate(alg);
    server.on('request', (request, response) => {
      const send = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.url === '/.well-known/openid-configuration') return send(200, { issuer: issuer.issuer, jwks_uri: issuer.jwksUri });
      if (request.url === new URL(issuer.jwksUri).pathname) {
        issuer.fetches++;
        if (issuer.jwksFailureStatus !== undefined) return send(issuer.jwksFailureStatus, { error: 'temporarily_unavailable' });
        return void issuer.jwks().then((jwks) => send(200, jwks));
      }
      return send(404, { error: 'not_found' });
    });
    return issuer;
  }

  get jwksUri(): string {
    return `${this.issuer}/jwks`;
  }

  /** How many times the JWKS was fetched (also the failed answers). */
  get jwksFetches(): number {
    return this.fetches;
  }

  /** The kid of the current key of `alg`. */
  kid(alg: IssuerAlgorithm = 'ES256'): string {
    return this.current(alg).kid;
  }

  /** The current `alg` public key as PEM (SPKI): what anyone can read from the JWKS, e.g. for a key-confusion attempt. */
  publicKeyPem(alg: IssuerAlgorithm = 'ES256'): Promise<string> {
    return exportSPKI(this.current(alg).publicKey);
  }

  /**
   * Publishes a new key of `alg`, which signs from now on; returns its kid.
   * The previous one stays in the JWKS (tokens it signed still verify) unless
   * `keepOld` is false.
   */
  async rotate(alg: IssuerAlgorithm = 'ES256', { keepOld = true }: { readonly keepOld?: boolean } = {}): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `${alg.toLowerCase()}-${++this.generation}`;
    if (!keepOld) this.keys = this.keys.filter((key) => key.alg !== alg);
    this.keys.push({ kid, alg, privateKey, publicKey });
    return kid;
  }

  /**
   * A compact JWT. Claims default to a valid token of this issuer: iss, aud,
   * sub `test-subject`, iat now, exp in 5 minutes, a unique jti (no two
   * tokens alike, so no verifier's cache answers for another test's token).
   */
  async sign(claims: TokenClaims = {}, options: SignOptions = {}): Promise<string> {
    const now = epochSeconds();
    const defaults: TokenClaims = { iss: this.issuer, aud: this.audience, sub: 'test-subject', iat: now, exp: now + DEFAULT_LIFETIME_SECONDS, jti: randomUUID() };
    const payload = Object.fromEntries(Object.entries({ ...defaults, ...claims }).filter(([, value]) => value !== undefined));
    const alg = options.alg ?? 'ES256';
    if (alg === 'none') return unsignedToken(payload, options.kid);
    if (alg === 'HS256') {
      if (!options.secret) throw new Error('sign: HS256 needs options.secret');
      return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT', ...(options.kid ? { kid: options.kid } : {}) }).sign(options.secret);
    }
    const key = this.current(alg);
    return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT', kid: options.kid ?? key.kid }).sign(options.key ?? key.privateKey);
  }

  /** A private key the issuer never published (a forger's), of `alg`. */
  static async foreignKey(alg: IssuerAlgorithm = 'ES256'): Promise<CryptoKey> {
    return (await generateKeyPair(alg)).privateKey;
  }

  async stop(): Promise<void> {
    // Verifiers keep their connections alive; close them, or close() waits for their idle timeout.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: await Promise.all(this.keys.map(async ({ kid, alg, publicKey }) => ({ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }))) };
  }

  private current(alg: IssuerAlgorithm): SigningKey {
    const key = this.keys.findLast((k) => k.alg === alg);
    if (!key) throw new Error(`the test issuer has no ${alg} key`);
    return key;
  }
}

/** `alg: none`: a header and payload with an empty signature, as an attacker sends it. */
function unsignedToken(payload: Record<string, unknown>, kid: string | undefined): string {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${part({ alg: 'none', typ: 'JWT', ...(kid ? { kid } : {}) })}.${part(payload)}.`;
}
