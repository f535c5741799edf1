import { ConfigError } from '@acme/config';
import { httpTimeouts, loadGatewayConfig, sseHeartbeatMs } from './config';

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

describe('gateway config: streams', () => {
  it('sends SSE heartbeats at half the idle timeout, at most every 15 s, unless told', () => {
    expect(sseHeartbeatMs(loadGatewayConfig({}))).toBe(15_000);
    expect(sseHeartbeatMs(loadGatewayConfig({ HTTP_IDLE_TIMEOUT_MS: '3000', HTTP_REQUEST_TIMEOUT_MS: '2000', HTTP_HEADERS_TIMEOUT_MS: '1000', USER_SERVICE_DEADLINE_MS: '1000', ORDER_SERVICE_DEADLINE_MS: '1000', READINESS_TIMEOUT_MS: '1000' }))).toBe(1_500);
    expect(sseHeartbeatMs(loadGatewayConfig({ SSE_HEARTBEAT_MS: '200' }))).toBe(200);
  });

  it('refuses a heartbeat no shorter than the idle timeout, naming it', () => {
    expect(problemsOf({ SSE_HEARTBEAT_MS: '65000' })).toEqual([
      'SSE_HEARTBEAT_MS: must be shorter than HTTP_IDLE_TIMEOUT_MS (65000), or a quiet SSE stream is closed as idle between two heartbeats (got "65000")',
    ]);
  });

  it('sizes the stream channels from their own variables', () => {
    const config = loadGatewayConfig({});
    expect([config.UPSTREAM_STREAMS_PER_CONNECTION, config.ORDER_SERVICE_MAX_STREAMS, config.USER_SERVICE_MAX_STREAMS, config.USER_SERVICE_STREAM_DEADLINE_MS]).toEqual([100, 1_000, 8, 60_000]);
    expect(problemsOf({ UPSTREAM_STREAMS_PER_CONNECTION: '0' })).toEqual([expect.stringMatching(/^UPSTREAM_STREAMS_PER_CONNECTION: expected an integer 1\.\.10000/)]);
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
