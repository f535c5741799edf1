import type { DescService } from '@bufbuild/protobuf';
import { MethodOptions_IdempotencyLevel as IdempotencyLevel } from '@bufbuild/protobuf/wkt';

// What the proto says about a method (google.protobuf.MethodOptions.idempotency_level).
const RETRY_SAFE = new Set([IdempotencyLevel.NO_SIDE_EFFECTS, IdempotencyLevel.IDEMPOTENT]);

/**
 * The RPCs of a service that its proto declares safe to repeat
 * (`option idempotency_level = NO_SIDE_EFFECTS` or `IDEMPOTENT`), by their
 * proto names. The contract decides what may be retried, not each client.
 */
export function retryableMethodsOf(service: DescService): string[] {
  return service.methods.filter((method) => RETRY_SAFE.has(method.idempotency)).map((method) => method.name);
}
