import { type ChannelCredentials, credentials as grpcCredentials } from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import { createUpstreamClient, type Upstream } from '@acme/grpc-kit';

/**
 * A client for tests: it never retries, so a test sees exactly what a
 * service answered; it calls with `bearerToken` when given, over plaintext
 * unless given `credentials` (a workload certificate, for mTLS).
 */
export function testClient<S extends DescService>(address: string, service: S, bearerToken?: string, credentials: ChannelCredentials = grpcCredentials.createInsecure()): Upstream<S> {
  return createUpstreamClient({ target: address, service, deadlineMs: 10_000, retry: false, credentials, ...(bearerToken ? { bearerToken } : {}) });
}
