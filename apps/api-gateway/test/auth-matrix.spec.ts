import { setTimeout as delay } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import { SERVICES } from '@acme/contracts';
import { PROBLEM_CONTENT_TYPE, type TokenVerifierOptions } from '@acme/grpc-kit';
import {
  CREDENTIAL_CASES,
  freePort,
  matrixAuthEnv,
  MATRIX_JWKS_COOLDOWN_MS,
  matrixTable,
  matrixVerifierOptions,
  RawGrpcClient,
  ServiceStack,
  startMatrixIssuer,
  type TestIssuer,
  TOKEN_CASES,
  UNKNOWN_KID_BURST,
  unknownKidTokens,
} from '@acme/testing';
import type { RunningHttpGateway } from '../src/http/bootstrap-http-gateway';
import { startGateway } from './support/gateway';
import { type Answer, client } from './support/http';

// The authentication matrix of @acme/testing (bad-tokens.ts) end to end:
// the gateway in this process and the services as real processes, all
// trusting one TestIssuer. At the edge each bad token is a 401 with its
// RFC 6750 challenge; straight to user-service over gRPC, UNAUTHENTICATED.
// A token both accept goes all the way (the gateway forwards it, and
// user-service verifies it again): 200 / OK.

/** The route (and RPC) the matrix calls: ListUsers, which MATRIX_CALLER (an admin with users:read) may call. */
const EDGE_ROUTE = '/users';
const LIST_USERS = `/${SERVICES.user.typeName}/${SERVICES.user.method.listUsers.name}`;

/**
 * A key published now is found once the process fetches the keys again,
 * which it does only after its refetch cooldown (MATRIX_JWKS_COOLDOWN_MS)
 * since its last fetch. That runs inside other processes: the test can only
 * ask again until accepted, within a bound well above the cooldown.
 */
const KEY_PICKUP_TIMEOUT_MS = 15 * MATRIX_JWKS_COOLDOWN_MS;
const KEY_PICKUP_POLL_MS = MATRIX_JWKS_COOLDOWN_MS / 4;
/** Room for the key pickup in a case's test. */
const CASE_TIMEOUT_MS = KEY_PICKUP_TIMEOUT_MS + 30_000;

/** Asks `attempt` until `accepted`, every KEY_PICKUP_POLL_MS; returns the last answer and how long it took. */
async function untilAccepted<T>(attempt: () => Promise<T>, accepted: (answer: T) => boolean): Promise<{ answer: T; seconds: number }> {
  const started = Date.now();
  for (;;) {
    const answer = await attempt();
    const elapsed = Date.now() - started;
    if (accepted(answer) || elapsed > KEY_PICKUP_TIMEOUT_MS) return { answer, seconds: Math.round(elapsed / 100) / 10 };
    await delay(KEY_PICKUP_POLL_MS);
  }
}

let issuer: TestIssuer;
let verifierOptions: TokenVerifierOptions;
let services: ServiceStack;
let gateway: RunningHttpGateway;

beforeAll(async () => {
  issuer = await startMatrixIssuer();
  verifierOptions = matrixVerifierOptions(issuer);
  services = await ServiceStack.start({ prefix: 'authn', userEnv: matrixAuthEnv(issuer), orderEnv: matrixAuthEnv(issuer) });
  gateway = await startGateway({ ...services.gatewayEnv, ...matrixAuthEnv(issuer) });
});
afterAll(async () => {
  await gateway?.shutdown();
  await services?.stop('SIGKILL');
  await issuer?.stop();
});

describe('at the edge (gateway over HTTP, user-service behind it)', () => {
  const observed: [string, string][] = [];
  afterAll(() => console.log(matrixTable(`gateway ${EDGE_ROUTE}`, observed)));

  const get = (authorization: string | undefined) => client(gateway.url).get(EDGE_ROUTE, { headers: authorization ? { authorization } : {} });
  const shown = (answer: Answer) =>
    answer.status === 401 ? `401 ${/error="([^"]+)"/.exec(answer.headers.get('www-authenticate') ?? '')?.[1] ?? '(no error)'}: ${answer.body?.detail}` : String(answer.status);
  const expectUnauthorized = (answer: Answer, gist: RegExp, oauthError: string | undefined) => {
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
    expect(answer.body).toMatchObject({ status: 401, detail: expect.stringMatching(gist) });
    const challenge = answer.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer realm="acme"/);
    if (oauthError) {
      expect(challenge).toContain(`error="${oauthError}"`);
      if (oauthError === 'invalid_token') expect(challenge).toMatch(new RegExp(`error_description="[^"]*${gist.source}`));
    } else {
      expect(challenge).not.toContain('error=');
    }
  };

  it.each(CREDENTIAL_CASES)('$name -> 401', async ({ name, authorization, oauthError, refusal }) => {
    const answer = await get(authorization);
    observed.push([name, shown(answer)]);
    expectUnauthorized(answer, refusal, oauthError);
  });

  it.each(TOKEN_CASES)(
    '$name',
    async ({ name, token: make, refusal, keyPublishedNow }) => {
      const authorization = `Bearer ${await make(issuer, verifierOptions)}`;
      const fetchesBefore = issuer.jwksFetches;
      if (keyPublishedNow) {
        const { answer, seconds } = await untilAccepted(() => get(authorization), (a) => a.status !== 401);
        observed.push([name, `${shown(answer)} after ${seconds} s (JWKS fetches +${issuer.jwksFetches - fetchesBefore})`]);
        expect(answer.status).toBe(200);
        // Each verifier on the way (the gateway's, user-service's) fetched the keys once more, however often it was asked meanwhile.
        expect(issuer.jwksFetches - fetchesBefore).toBe(2);
        return;
      }
      const answer = await get(authorization);
      observed.push([name, shown(answer)]);
      if (refusal) expectUnauthorized(answer, refusal, 'invalid_token');
      else expect(answer).toMatchObject({ status: 200, body: { users: expect.any(Array) } });
    },
    CASE_TIMEOUT_MS,
  );

  it(`a burst of ${UNKNOWN_KID_BURST} unknown kids: all 401, not a JWKS fetch each`, async () => {
    const before = issuer.jwksFetches;
    const answers = await Promise.all((await unknownKidTokens(issuer)).map((token) => get(`Bearer ${token}`)));
    const fetches = issuer.jwksFetches - before;
    observed.push([`burst of ${UNKNOWN_KID_BURST} unknown kids`, `${[...new Set(answers.map(shown))].join('; ')} (JWKS fetches +${fetches})`]);
    for (const answer of answers) expectUnauthorized(answer, /no key of the issuer matches/, 'invalid_token');
    // None while the gateway's cooldown runs (the rotation above just fetched), one if it has passed.
    expect(fetches).toBeLessThanOrEqual(1);
  });
});

describe('straight to user-service (gRPC)', () => {
  const observed: [string, string][] = [];
  let grpc: RawGrpcClient;
  beforeAll(async () => {
    grpc = await RawGrpcClient.connect(services.system.address('user-service'));
  });
  afterAll(() => {
    grpc?.close();
    console.log(matrixTable(`user-service ${LIST_USERS}`, observed));
  });

  // An empty ListUsersRequest: the first page with the default size.
  const call = (authorization: string | undefined) => grpc.call(LIST_USERS, new Uint8Array(), { metadata: authorization ? { authorization } : {} });
  const shown = (answer: { status?: number; message: string }) =>
    answer.status === undefined ? `reset (${answer.message})` : `${status[answer.status]}${answer.status !== status.OK && answer.message ? `: ${answer.message}` : ''}`;

  it.each(CREDENTIAL_CASES)('$name -> UNAUTHENTICATED', async ({ name, authorization, refusal }) => {
    const answer = await call(authorization);
    observed.push([name, shown(answer)]);
    expect(answer).toMatchObject({ status: status.UNAUTHENTICATED, message: expect.stringMatching(refusal) });
  });

  it.each(TOKEN_CASES)(
    '$name',
    async ({ name, token: make, refusal, keyPublishedNow }) => {
      const authorization = `Bearer ${await make(issuer, verifierOptions)}`;
      const fetchesBefore = issuer.jwksFetches;
      if (keyPublishedNow) {
        const { answer, seconds } = await untilAccepted(() => call(authorization), (a) => a.status !== status.UNAUTHENTICATED);
        observed.push([name, `${shown(answer)} after ${seconds} s (JWKS fetches +${issuer.jwksFetches - fetchesBefore})`]);
        expect(answer.status).toBe(status.OK);
        expect(issuer.jwksFetches - fetchesBefore).toBe(1);
        return;
      }
      const answer = await call(authorization);
      observed.push([name, shown(answer)]);
      if (refusal) expect(answer).toMatchObject({ status: status.UNAUTHENTICATED, message: expect.stringMatching(refusal) });
      else expect(answer.status).toBe(status.OK);
    },
    CASE_TIMEOUT_MS,
  );

  it(`a burst of ${UNKNOWN_KID_BURST} unknown kids: all UNAUTHENTICATED, not a JWKS fetch each`, async () => {
    const before = issuer.jwksFetches;
    const answers = await Promise.all((await unknownKidTokens(issuer)).map((token) => call(`Bearer ${token}`)));
    const fetches = issuer.jwksFetches - before;
    observed.push([`burst of ${UNKNOWN_KID_BURST} unknown kids`, `${[...new Set(answers.map(shown))].join('; ')} (JWKS fetches +${fetches})`]);
    for (const answer of answers) expect(answer).toMatchObject({ status: status.UNAUTHENTICATED, message: expect.stringMatching(/no key of the issuer matches/) });
    expect(fetches).toBeLessThanOrEqual(1);
  });
});

describe('with the issuer unreachable', () => {
  let stranded: RunningHttpGateway;
  beforeAll(async () => {
    // Nothing listens on this port: the discovery document cannot be fetched.
    stranded = await startGateway({ ...services.gatewayEnv, AUTH_ISSUER: `http://127.0.0.1:${await freePort()}` });
  });
  afterAll(() => stranded?.shutdown());

  it('answers 503 with Retry-After, not a 401 that would send the client for a new token', async () => {
    const answer = await client(stranded.url).get(EDGE_ROUTE, { headers: { authorization: `Bearer ${await issuer.sign()}` } });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
    expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(answer.headers.get('www-authenticate')).toBeNull();
    expect(answer.body).toMatchObject({ status: 503, detail: expect.stringMatching(/cannot be verified now/) });
  });
});
