import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { HealthImplementation } from 'grpc-health-check';
import { rejectMalformedRequests, withStrictDecoding } from '../request-decoding';

export interface HealthListener {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A second, plaintext listener that serves grpc.health.v1 and nothing else,
 * with the statuses of the service's own health. It exists for probes that
 * cannot present a client certificate while the service port requires one:
 * the kubelet's native gRPC probes do no TLS at all. What it can tell anyone
 * who reaches it is whether the service is SERVING; every RPC of the service
 * (and reflection) stays behind mTLS on the main port. Small limits: its
 * requests are a service name.
 */
export async function startHealthListener(health: HealthImplementation, url: string): Promise<HealthListener> {
  const server = new Server({
    'grpc.max_receive_message_length': 1024,
    'grpc.max_concurrent_streams': 8,
    'grpc.max_connection_idle_ms': 60_000,
    interceptors: [rejectMalformedRequests],
  });
  health.addToServer({ addService: (service, implementation) => server.addService(withStrictDecoding(service), implementation) } as Server);
  await new Promise<number>((resolve, reject) => server.bindAsync(url, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))));
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        // Watch streams never end by themselves: give them no grace.
        server.forceShutdown();
        resolve();
      }),
  };
}
