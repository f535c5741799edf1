import type { DescService } from '@bufbuild/protobuf';
import type { Upstream } from '@acme/grpc-kit';

/** A call to an upstream service failed; `cause` is the gRPC error. The problem filter turns it into HTTP. */
export class UpstreamFailure extends Error {
  constructor(
    readonly upstream: string,
    readonly method: string,
    override readonly cause: unknown,
  ) {
    super(`${upstream}.${method} failed`);
    this.name = 'UpstreamFailure';
  }
}

/**
 * The same client, with each failure labelled with the upstream's name, so
 * the answer can say which part of the system failed without the controllers
 * catching anything.
 */
export function labelFailures<S extends DescService>(name: string, client: Upstream<S>): Upstream<S> {
  const labelled: Record<string, unknown> = { close: () => client.close() };
  for (const [method, call] of Object.entries(client as Record<string, unknown>)) {
    if (method === 'close' || typeof call !== 'function') continue;
    labelled[method] = (...args: unknown[]) =>
      (call as (...a: unknown[]) => Promise<unknown>)(...args).catch((error: unknown) => {
        throw new UpstreamFailure(name, method, error);
      });
  }
  return labelled as Upstream<S>;
}
