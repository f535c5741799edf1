import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config';
import { booleanVar, grpcTargetVar, millisVar, portVar, postgresUrlVar, previousSecretsVar, secretVar } from './env-schemas';

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

  describe('secrets and the deployment environment', () => {
    const schema = z.object({
      SECRET: secretVar('dev-only-secret-dev-only-secret-0000'),
      DATABASE_URL: postgresUrlVar('postgres://postgres@127.0.0.1:5432/app'),
    });
    const problemsOf = (env: Record<string, string>): readonly string[] => {
      try {
        loadConfig(schema, env);
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    };
    const real = 'a-real-secret-from-the-secret-store-0123456789';

    it('uses the development fallback outside production', () => {
      expect(loadConfig(schema, {}).SECRET).toBe('dev-only-secret-dev-only-secret-0000');
      expect(loadConfig(schema, { NODE_ENV: 'production', DEPLOYMENT_ENVIRONMENT: 'development' }).SECRET).toBe(
        'dev-only-secret-dev-only-secret-0000',
      );
    });

    it('requires secrets in production (NODE_ENV=production, or named)', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toEqual(['SECRET: required in production (not set)']);
      expect(problemsOf({ DEPLOYMENT_ENVIRONMENT: 'production' })).toEqual(['SECRET: required in production (not set)']);
      expect(loadConfig(schema, { NODE_ENV: 'production', SECRET: real }).SECRET).toBe(real);
    });

    it('refuses every development value in production: the shipped secrets and passwords inside URLs', () => {
      const problems = problemsOf({
        NODE_ENV: 'production',
        SECRET: 'dev-only-user-page-token-secret-change-me',
        DATABASE_URL: 'postgres://acme_users:dev-only-user-db-password@user-db:5432/acme_users',
      });
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^SECRET: holds a development value \(it contains "dev-only"\); production needs its own/);
      expect(problems[1]).toMatch(/^DATABASE_URL: holds a development value/);
      // ...and never repeats the value it refused.
      expect(problems.join('\n')).not.toContain('change-me');
    });

    it('rejects short secrets anywhere without showing them, and a misspelt environment', () => {
      expect(problemsOf({ SECRET: 'short-secret' })).toEqual(['SECRET: expected at least 32 characters (12 characters, not shown)']);
      expect(problemsOf({ DEPLOYMENT_ENVIRONMENT: 'prod' })).toEqual([
        'DEPLOYMENT_ENVIRONMENT: expected development or production (got "prod")',
      ]);
    });

    it('takes previous secrets as an optional list, refusing a short one without showing any', () => {
      const rotation = z.object({ SECRET: secretVar('dev-only-secret-dev-only-secret-0000'), PREVIOUS: previousSecretsVar() });
      expect(loadConfig(rotation, {}).PREVIOUS).toEqual([]);
      expect(loadConfig(rotation, { PREVIOUS: ` ${real}, ${real}-older ` }).PREVIOUS).toEqual([real, `${real}-older`]);
      // Not required in production.
      expect(loadConfig(rotation, { NODE_ENV: 'production', SECRET: real }).PREVIOUS).toEqual([]);
      let problems: readonly string[] = [];
      try {
        loadConfig(rotation, { PREVIOUS: `${real},short-secret` });
      } catch (error) {
        problems = (error as ConfigError).problems;
      }
      expect(problems).toEqual([`PREVIOUS.1: each previous secret needs at least 32 characters (${real.length + 13} characters, not shown)`]);
    });

    it('shows a malformed URL without its password', () => {
      expect(problemsOf({ SECRET: real, DATABASE_URL: 'mysql://app:hunter2@db/app' })).toEqual([
        'DATABASE_URL: expected a postgres:// URL, e.g. postgres://user:password@host:5432/database (got "mysql://app:***@db/app")',
      ]);
    });
  });
});
