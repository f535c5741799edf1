import type { DescService } from '@bufbuild/protobuf';
import { createUpstreamClient, type Upstream } from '@acme/grpc-kit';

/** A client for tests: it never retries, so a test sees exactly what a service answered; it calls with `bearerToken` when given. */
export function testClient<S extends DescService>(address: string, service: S, bearerToken?: string): Upstream<S> {
  return createUpstreamClient({ target: address, service, deadlineMs: 10_000, retry: false, ...(bearerToken ? { bearerToken } : {}) });
}
