import { ConfigError } from '@acme/config';
import { httpTimeouts, loadGatewayConfig } from './config';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the config was accepted');
};

describe('gateway config: HTTP timeouts', () => {
  it('defaults to 10 s for headers, 30 s for the whole request, 65 s idle', () => {
    expect(httpTimeouts(loadGatewayConfig({}))).toEqual({ headersMs: 10_000, requestMs: 30_000, idleMs: 65_000 });
  });

  it('refuses a headers timeout longer than the request timeout, naming it', () => {
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' })).toEqual([
      'HTTP_HEADERS_TIMEOUT_MS: must be at most HTTP_REQUEST_TIMEOUT_MS (10000): the headers are part of the request (got "20000")',
    ]);
  });

  it('refuses an idle timeout not longer than the request timeout or an upstream deadline, naming it', () => {
    expect(problemsOf({ HTTP_IDLE_TIMEOUT_MS: '30000' })).toEqual([expect.stringMatching(/^HTTP_IDLE_TIMEOUT_MS: must be longer than HTTP_REQUEST_TIMEOUT_MS and every upstream deadline \(the longest is 30000\)/)]);
    expect(problemsOf({ HTTP_IDLE_TIMEOUT_MS: '40000', ORDER_SERVICE_DEADLINE_MS: '45000' })).toEqual([expect.stringMatching(/the longest is 45000/)]);
  });

  it('refuses a value that is not milliseconds in range', () => {
    expect(problemsOf({ HTTP_REQUEST_TIMEOUT_MS: '0' })).toEqual([expect.stringMatching(/^HTTP_REQUEST_TIMEOUT_MS: expected milliseconds/)]);
  });
});

describe('gateway config: CORS_ALLOWED_ORIGINS', () => {
  it('allows no origin by default, and exactly the listed ones otherwise', () => {
    expect(loadGatewayConfig({}).CORS_ALLOWED_ORIGINS).toEqual([]);
    expect(loadGatewayConfig({ CORS_ALLOWED_ORIGINS: ' https://app.example.com, http://localhost:3000 ' }).CORS_ALLOWED_ORIGINS).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
    ]);
  });

  it.each(['*', 'https://app.example.com/', 'https://app.example.com/path', 'app.example.com', 'ftp://files.example.com', 'https://app.example.com,null'])(
    'refuses %s, saying what an origin looks like',
    (value) => {
      expect(problemsOf({ CORS_ALLOWED_ORIGINS: value })).toEqual([expect.stringMatching(/^CORS_ALLOWED_ORIGINS.*scheme:\/\/host\[:port\]/)]);
    },
  );
});
