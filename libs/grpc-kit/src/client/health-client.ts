import { type ChannelCredentials, type ChannelOptions, type Client, type ClientReadableStream, credentials, makeGenericClientConstructor, status } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { grpcStatusOf } from '../errors/grpc-status';

/** grpc.health.v1 statuses (SERVICE_UNKNOWN: the server does not know the service name). */
export type HealthStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

interface HealthResponse {
  status: HealthStatus;
}

type HealthStub = Client & {
  Check(request: { service: string }, options: { deadline: number }, callback: (error: Error | null, response?: HealthResponse) => void): void;
  Watch(request: { service: string }, options: { deadline: number; waitForReady: boolean }): ClientReadableStream<HealthResponse>;
};

const HealthStubConstructor = makeGenericClientConstructor(healthService, 'Health') as unknown as new (
  target: string,
  creds: ChannelCredentials,
  options?: ChannelOptions,
) => HealthStub;

/** A grpc.health.v1 client: probes, readiness endpoints and tests use it to ask a server how it is. */
export class HealthClient {
  private readonly stub: HealthStub;

  constructor(
    readonly target: string,
    options: ChannelOptions = {},
    /** GRPC_CHANNEL_CREDENTIALS where the server requires mTLS; plaintext by default (npm start, the plaintext health port). */
    channelCredentials: ChannelCredentials = credentials.createInsecure(),
  ) {
    this.stub = new HealthStubConstructor(target, channelCredentials, options);
  }

  /**
   * One Check call. A service the server does not know (NOT_FOUND, per the
   * health protocol) is SERVICE_UNKNOWN; any other failure rejects with the
   * gRPC error (e.g. UNAVAILABLE when the server cannot be reached in time).
   */
  check(service = '', deadlineMs = 1_000): Promise<HealthStatus> {
    return new Promise((resolve, reject) => {
      this.stub.Check({ service }, { deadline: Date.now() + deadlineMs }, (error, response) => {
        if (!error) resolve(response?.status ?? 'UNKNOWN');
        else if (grpcStatusOf(error) === status.NOT_FOUND) resolve('SERVICE_UNKNOWN');
        else reject(error);
      });
    });
  }

  /**
   * Resolves once the server reports `wanted` for `service`, following the
   * server's own Watch stream (no polling). Waits for the server to come up
   * and re-attaches if it restarts; rejects after `timeoutMs`.
   */
  waitFor(wanted: HealthStatus, service = '', timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      let last = 'no answer';
      const watch = () => {
        const stream = this.stub.Watch({ service }, { deadline, waitForReady: true });
        stream.on('data', (response: HealthResponse) => {
          last = response.status;
          if (response.status === wanted) {
            stream.cancel();
            resolve();
          }
        });
        stream.on('error', (error: Error) => {
          const code = grpcStatusOf(error);
          if (code === status.CANCELLED) return; // we cancelled it after success
          if (code === status.DEADLINE_EXCEEDED || Date.now() >= deadline) {
            reject(new Error(`${this.target} did not report ${wanted} for "${service}" within ${timeoutMs} ms (last: ${last})`));
          } else {
            last = error.message;
            // Server went away (e.g. restarting): waitForReady blocks until it is back.
            // If this client was closed meanwhile, grpc-js throws: that ends the wait.
            try {
              watch();
            } catch (closed) {
              reject(new Error(`${this.target}: stopped waiting for ${wanted} (${(closed as Error).message}; last: ${last})`));
            }
          }
        });
      };
      watch();
    });
  }

  close(): void {
    this.stub.close();
  }
}
