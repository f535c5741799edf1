import { clientChannelOptions, clientServiceConfig } from './client-channel-options';

describe('client service config', () => {
  it('balances round_robin and retries only the listed methods, on UNAVAILABLE only', () => {
    const config = clientServiceConfig('acme.user.v1.UserService', ['GetUser', 'ListUsers'], {
      maxAttempts: 3,
      initialBackoffMs: 50,
      maxBackoffMs: 1000,
    });
    expect(config).toEqual({
      loadBalancingConfig: [{ round_robin: {} }],
      retryThrottling: { maxTokens: 10, tokenRatio: 0.1 },
      methodConfig: [
        {
          name: [
            { service: 'acme.user.v1.UserService', method: 'GetUser' },
            { service: 'acme.user.v1.UserService', method: 'ListUsers' },
          ],
          retryPolicy: {
            maxAttempts: 3,
            initialBackoff: '0.050s',
            maxBackoff: '1.000s',
            backoffMultiplier: 2,
            retryableStatusCodes: ['UNAVAILABLE'],
          },
        },
      ],
    });
  });

  it('has no retry policy at all when nothing is retryable', () => {
    expect(clientServiceConfig('acme.x.v1.X', [])).toEqual({ loadBalancingConfig: [{ round_robin: {} }], methodConfig: [] });
  });

  it('passes the service config to grpc-js as JSON, with keepalive and fast reconnects', () => {
    const options = clientChannelOptions('acme.user.v1.UserService', ['GetUser']);
    expect(JSON.parse(String(options['grpc.service_config']))).toEqual(
      clientServiceConfig('acme.user.v1.UserService', ['GetUser']),
    );
    expect(options['grpc.keepalive_time_ms']).toBeGreaterThan(0);
    expect(options['grpc.max_reconnect_backoff_ms']).toBeLessThanOrEqual(1_000);
  });
});
