import type { DescMessage, DescService, MessageShape } from '@bufbuild/protobuf';
import { pathToString } from '@bufbuild/protobuf/reflect';
import { createValidator } from '@bufbuild/protovalidate';
import { Server, ServerCredentials, status, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { Pool } from 'pg';
import { grpcServiceDefinition } from '@acme/contracts';

// What both baseline servers share: env, the pool, health, the field rules'
// check, a plain grpc-js server with default options, and exit on SIGTERM (so
// --cpu-prof can write its profile). Services are added with the generated
// codecs, as the services' own: the same wire format, no framework.

export const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

/** Same pool size and statement timeout as the services' defaults. */
export const pool = new Pool({
  connectionString: env('DATABASE_URL'),
  max: Number(env('DATABASE_POOL_SIZE', '10')),
  statement_timeout: 5_000,
  application_name: 'bench-baseline',
});

export const fail = (code: status, details: string): Partial<ServiceError> => ({ code, details });

/** Database trouble is UNAVAILABLE, as the services answer it. */
export const databaseFailure = (error: unknown) => fail(status.UNAVAILABLE, `database: ${(error as Error).message}`);

// One validator per process, as the services have: it compiles each message's rules once.
const validator = createValidator();

/**
 * The proto's buf.validate rules, checked with protovalidate directly (the
 * same work per request as the services, without their framework): the
 * first broken rule as `field: message`, for INVALID_ARGUMENT, or undefined.
 */
export function ruleViolation<S extends DescMessage>(schema: S, request: MessageShape<S>): string | undefined {
  const result = validator.validate(schema, request);
  if (result.kind === 'error') throw result.error; // a rule that cannot be evaluated is a bug in the proto
  const first = result.violations?.[0];
  return first && `${pathToString(first.field)}: ${first.message}`;
}

export async function serve(name: string, service: DescService, handlers: UntypedServiceImplementation): Promise<void> {
  const server = new Server();
  server.addService(grpcServiceDefinition(service), handlers);
  const health = new HealthImplementation({ '': 'NOT_SERVING', [service.typeName]: 'NOT_SERVING' });
  health.addToServer(server as never);
  const port = env('GRPC_PORT');
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
  );
  await pool.query('SELECT 1');
  health.setStatus('', 'SERVING');
  health.setStatus(service.typeName, 'SERVING');
  process.once('SIGTERM', () => {
    server.tryShutdown(() => void pool.end().finally(() => process.exit(0)));
  });
  pool.on('error', (error) => console.error(`${name}: idle database connection failed: ${error.message}`));
}
