import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config';
import { booleanVar, grpcTargetVar, millisVar, portVar, postgresUrlVar, secretVar } from './env-schemas';

const schema = z.object({
  GRPC_PORT: portVar(50051),
  DATABASE_URL: postgresUrlVar('postgres://postgres@127.0.0.1:5432/app'),
  DEADLINE_MS: millisVar(1000),
  UPSTREAM: grpcTargetVar('dns:///localhost:50051'),
  FLAG: booleanVar(false),
});

describe('loadConfig', () => {
  it('applies defaults for unset variables', () => {
    expect(loadConfig(schema, {})).toEqual({
      GRPC_PORT: 50051,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/app',
      DEADLINE_MS: 1000,
      UPSTREAM: 'dns:///localhost:50051',
      FLAG: false,
    });
  });

  it('parses given values into their types', () => {
    const config = loadConfig(schema, {
      GRPC_PORT: '6000',
      DATABASE_URL: 'postgresql://u:p@db:5433/x',
      DEADLINE_MS: '250',
      UPSTREAM: 'ipv4:10.0.0.1:50051',
      FLAG: 'true',
    });
    expect(config).toMatchObject({ GRPC_PORT: 6000, DEADLINE_MS: 250, FLAG: true });
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(schema, { GRPC_PORT: '70000', DATABASE_URL: 'mysql://x', DEADLINE_MS: 'soon', UPSTREAM: 'no spaces allowed' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('GRPC_PORT: expected a port number 1..65535 (got "70000")');
    expect(message).toContain('DATABASE_URL: expected a postgres:// URL');
    expect(message).toContain('DEADLINE_MS: expected milliseconds 1..3600000 (got "soon")');
    expect(message).toContain('UPSTREAM: expected a gRPC target');
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('requires secrets in production and rejects short ones anywhere', () => {
    const secrets = z.object({ SECRET: secretVar('dev-only-secret-dev-only-secret-0000') });
    const previous = process.env['NODE_ENV'];
    try {
      process.env['NODE_ENV'] = 'production';
      expect(() => loadConfig(secrets, {})).toThrow(/SECRET: required when NODE_ENV=production \(not set\)/);
      process.env['NODE_ENV'] = 'development';
      expect(loadConfig(secrets, {}).SECRET).toBe('dev-only-secret-dev-only-secret-0000');
      expect(() => loadConfig(secrets, { SECRET: 'short' })).toThrow(/SECRET: expected at least 32 characters/);
    } finally {
      process.env['NODE_ENV'] = previous;
    }
  });
});
