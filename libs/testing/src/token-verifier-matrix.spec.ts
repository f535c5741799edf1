import { status } from '@grpc/grpc-js';
import { InvalidTokenError, StatusError, TokenVerifier, type Caller, type TokenVerifierOptions } from '@acme/grpc-kit';
import { MATRIX_CALLER, matrixTable, matrixVerifierOptions, startMatrixIssuer, TOKEN_CASES, UNKNOWN_KID_BURST, unknownKidTokens } from './bad-tokens';
import type { TestIssuer } from './test-issuer';

// grpc-kit's TokenVerifier, tested here rather than in grpc-kit: its specs
// cannot use @acme/testing (which depends on grpc-kit) without a cycle.

/**
 * Only Date is faked: the verifier's refetch cooldown counts by Date.now(),
 * and this test moves that clock past it instead of waiting 30 s. Timers
 * and I/O (the issuer on loopback) run for real.
 */
const REAL_TIMERS = [
  'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame',
  'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout',
] as const;
/** Past the verifier's refetch cooldown (30 s), well within how long fetched keys are trusted without a refetch (10 min). */
const PAST_THE_COOLDOWN_MS = 60_000;
const passTheCooldown = () => jest.setSystemTime(Date.now() + PAST_THE_COOLDOWN_MS);

type Outcome = { readonly caller: Caller; readonly error?: undefined } | { readonly caller?: undefined; readonly error: Error };

describe('TokenVerifier: the authentication matrix against a real issuer', () => {
  let issuer: TestIssuer;
  let options: TokenVerifierOptions;
  /** One verifier for the whole table, as a process has: its keys and cooldown carry from case to case. */
  let verifier: TokenVerifier;
  const observed: [string, string][] = [];

  const outcome = (token: string): Promise<Outcome> => verifier.verify(token).then((caller) => ({ caller }), (error: Error) => ({ error }));
  const describeOutcome = ({ caller, error }: Outcome) =>
    caller ? `accepted: ${caller.subject} [${[...caller.scopes].join(' ')}] roles ${[...caller.roles].join(',')}` : `${error.name}: ${error.message}`;
  const expectRefused = (result: Outcome, gist: RegExp) => {
    expect(result.error).toBeInstanceOf(InvalidTokenError);
    expect(result.error).toMatchObject({ code: status.UNAUTHENTICATED, oauthError: 'invalid_token', message: expect.stringMatching(gist) });
  };

  beforeAll(async () => {
    jest.useFakeTimers({ doNotFake: [...REAL_TIMERS] });
    issuer = await startMatrixIssuer();
    options = matrixVerifierOptions(issuer);
    verifier = new TokenVerifier(options);
  });
  afterAll(async () => {
    jest.useRealTimers();
    await issuer?.stop();
    console.log(matrixTable('TokenVerifier (in process)', observed));
  });

  it.each(TOKEN_CASES)('$name', async ({ name, token: make, refusal, keyPublishedNow }) => {
    const token = await make(issuer, options);
    const fetchesBefore = issuer.jwksFetches;
    if (keyPublishedNow) {
      // The verifier fetched the keys moments ago (the first case): within its cooldown an unknown kid is refused without a refetch...
      expectRefused(await outcome(token), /no key of the issuer matches/);
      expect(issuer.jwksFetches).toBe(fetchesBefore);
      // ...and once the cooldown has passed it fetches the keys again and finds the new one.
      passTheCooldown();
    }
    const result = await outcome(token);
    observed.push([name, keyPublishedNow ? `refused within the cooldown, then (JWKS fetched again) ${describeOutcome(result)}` : describeOutcome(result)]);
    if (refusal) {
      expectRefused(result, refusal);
    } else {
      expect(result.error).toBeUndefined();
      expect(result.caller).toMatchObject({ subject: MATRIX_CALLER.sub, scopes: new Set(MATRIX_CALLER.scope.split(' ')), roles: new Set(MATRIX_CALLER.roles), token });
    }
    if (keyPublishedNow) expect(issuer.jwksFetches).toBe(fetchesBefore + 1);
  });

  it(`a burst of ${UNKNOWN_KID_BURST} unknown kids: all refused, the JWKS fetched once at most (none within the cooldown)`, async () => {
    const burst = async () => {
      const before = issuer.jwksFetches;
      const results = await Promise.all((await unknownKidTokens(issuer)).map(outcome));
      for (const result of results) expectRefused(result, /no key of the issuer matches/);
      return issuer.jwksFetches - before;
    };
    // The table's last cases fetched the keys (the rotation) at this clock's time: the cooldown runs.
    const withinCooldown = await burst();
    passTheCooldown();
    const afterCooldown = await burst();
    observed.push([`burst of ${UNKNOWN_KID_BURST} unknown kids`, `all refused; JWKS fetches: ${withinCooldown} within the cooldown, ${afterCooldown} after it`]);
    expect(withinCooldown).toBe(0);
    // The concurrent lookups share the one fetch.
    expect(afterCooldown).toBe(1);
  });

  it('the issuer answering its JWKS with 503: UNAVAILABLE (retry later), not a refusal of the token', async () => {
    const fresh = new TokenVerifier(options);
    issuer.jwksFailureStatus = 503;
    try {
      const error = await fresh.verify(await issuer.sign(MATRIX_CALLER)).then(() => undefined, (e: unknown) => e);
      observed.push(['issuer JWKS answers 503', error instanceof Error ? `${error.name}: ${error.message}` : 'accepted']);
      expect(error).toBeInstanceOf(StatusError);
      expect(error).not.toBeInstanceOf(InvalidTokenError);
      expect(error).toMatchObject({ code: status.UNAVAILABLE, message: expect.stringMatching(/keys cannot be fetched.*retry later/) });
    } finally {
      issuer.jwksFailureStatus = undefined;
    }
  });
});
