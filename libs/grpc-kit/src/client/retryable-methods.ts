import { loadSync } from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, PROTO_ROOT, type ServiceContract } from '@acme/contracts';

// What the proto says about a method (google.protobuf.MethodOptions.idempotency_level).
const RETRY_SAFE = new Set(['NO_SIDE_EFFECTS', 'IDEMPOTENT']);

/**
 * The RPCs of a service that its proto declares safe to repeat
 * (`option idempotency_level = NO_SIDE_EFFECTS` or `IDEMPOTENT`), by their
 * proto names. The contract decides what may be retried, not each client.
 */
export function retryableMethodsOf(contract: ServiceContract): string[] {
  const definition = loadSync(contract.protoFile, { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
  const service = definition[`${contract.package}.${contract.service}`];
  if (!service || 'format' in service) throw new Error(`${contract.package}.${contract.service} is not a service in ${contract.protoFile}`);
  return Object.entries(service)
    .filter(([, method]) => RETRY_SAFE.has(String(method.options?.['idempotency_level'])))
    .map(([name]) => name);
}
