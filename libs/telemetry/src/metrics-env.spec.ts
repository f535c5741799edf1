import { z } from 'zod';
import { metricsEnv, metricsOptionsFromEnv } from './metrics-env';

describe('metricsEnv', () => {
  const schema = z.object(metricsEnv());
  const options = (env: Record<string, string>) => metricsOptionsFromEnv('user-service', schema.parse(env));

  it('is off when METRICS_PORT is unset', () => {
    expect(options({})).toBeUndefined();
  });
  it('serves on METRICS_PORT, on every interface unless METRICS_HOST says otherwise', () => {
    expect(options({ METRICS_PORT: '9465' })).toEqual({ serviceName: 'user-service', host: '0.0.0.0', port: 9465 });
  });
  it('takes another port and host', () => {
    expect(options({ METRICS_PORT: '19000', METRICS_HOST: '127.0.0.1' })).toEqual({ serviceName: 'user-service', host: '127.0.0.1', port: 19000 });
  });
  it('turns metrics off with port 0', () => {
    expect(options({ METRICS_PORT: '0' })).toBeUndefined();
  });
  it.each(['-1', '65536', 'metrics', '9464.5'])('refuses METRICS_PORT=%s', (port) => {
    expect(schema.safeParse({ METRICS_PORT: port }).success).toBe(false);
  });
});
