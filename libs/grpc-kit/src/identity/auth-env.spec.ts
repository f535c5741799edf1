import { z } from 'zod';
import { loadConfig } from '@acme/config';
import { authEnv, tokenVerifierOptionsFromEnv } from './auth-env';

const options = (env: Record<string, string>) => tokenVerifierOptionsFromEnv(loadConfig(z.object(authEnv()), env), env);

describe('authEnv -> TokenVerifierOptions', () => {
  it('refetches the keys for an unknown key id at most every 30 s unless told otherwise', () => {
    expect(options({})).toMatchObject({ jwksCooldownMs: 30_000, clockSkewSeconds: 30 });
    expect(options({ AUTH_JWKS_COOLDOWN_MS: '5000' })).toMatchObject({ jwksCooldownMs: 5_000 });
  });

  it.each(['999', '600001', 'soon'])('refuses AUTH_JWKS_COOLDOWN_MS=%s at boot, saying what it takes', (value) => {
    expect(() => options({ AUTH_JWKS_COOLDOWN_MS: value })).toThrow(`AUTH_JWKS_COOLDOWN_MS: expected milliseconds 1000..600000 (got "${value}")`);
  });
});
