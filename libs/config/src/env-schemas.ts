import { z } from 'zod';
import { REDACTED_SCHEMAS, SECRET_SCHEMAS } from './deployment-environment';

// Reusable validators for environment variables. Each one accepts the raw
// string and yields a typed value, with a message that says what is expected.

const integer = (min: number, max: number, what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { message: `expected ${what}` })
    .transform(Number)
    .pipe(z.number().int().min(min, { message: `expected ${what}` }).max(max, { message: `expected ${what}` }));

/** A TCP port, 1..65535 (0 allowed when `allowEphemeral`, meaning "pick a free one"). */
export const portVar = (fallback: number, allowEphemeral = false) =>
  integer(allowEphemeral ? 0 : 1, 65535, `a port number ${allowEphemeral ? '0' : '1'}..65535`)
    .optional()
    .transform((v) => v ?? fallback);

/** A whole number of milliseconds within [min, max]. */
export const millisVar = (fallback: number, min = 1, max = 3_600_000) =>
  integer(min, max, `milliseconds ${min}..${max}`)
    .optional()
    .transform((v) => v ?? fallback);

/** A positive integer within [min, max]. */
export const intVar = (fallback: number, min: number, max: number) =>
  integer(min, max, `an integer ${min}..${max}`)
    .optional()
    .transform((v) => v ?? fallback);

/** A postgres:// or postgresql:// connection URL. */
export const postgresUrlVar = (fallback?: string) => {
  const url = z.string().trim().refine(
    (v) => {
      try {
        return ['postgres:', 'postgresql:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: 'expected a postgres:// URL, e.g. postgres://user:password@host:5432/database' },
  );
  return fallback === undefined ? url : url.optional().transform((v) => v ?? fallback);
};

/** A gRPC target such as dns:///user-service:50051, ipv4:127.0.0.1:50051 or host:port. */
export const grpcTargetVar = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^((dns|ipv4|ipv6|unix):[^\s]+|[^\s:/]+:\d+)$/, {
      message: 'expected a gRPC target such as dns:///host:port, ipv4:1.2.3.4:port or host:port',
    })
    .optional()
    .transform((v) => v ?? fallback);

export const logLevelVar = (fallback = 'info') =>
  z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .optional()
    .transform((v) => v ?? fallback);

/** "true"/"false"/"1"/"0". */
export const booleanVar = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'expected true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1'));

/**
 * A secret: at least 32 characters. In production it must be given and must
 * not be a development value (see productionProblems); elsewhere the
 * development fallback is used when it is missing. Its value never appears in
 * an error message.
 */
export const secretVar = (developmentFallback: string) => {
  const schema = z
    .string()
    .min(32, { message: 'expected at least 32 characters' })
    .optional()
    .transform((v) => v ?? developmentFallback);
  SECRET_SCHEMAS.add(schema);
  return schema;
};

/**
 * The secrets a rotated secretVar had before (comma-separated, newest first,
 * each at least 32 characters): still accepted for what they signed, never
 * used to sign. Optional; never shown in messages.
 */
export const previousSecretsVar = () => {
  const schema = z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''))
    .pipe(z.array(z.string().min(32, { message: 'each previous secret needs at least 32 characters' })));
  REDACTED_SCHEMAS.add(schema);
  return schema;
};
