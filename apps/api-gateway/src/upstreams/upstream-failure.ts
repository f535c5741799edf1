import type { DescService } from '@bufbuild/protobuf';
import { isGrpcCallError, type ServerStream, StatusError, type Upstream } from '@acme/grpc-kit';

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
 * catching anything: a unary or client-stream call's rejection, a server
 * stream's refusal (`accepted`) and what its iteration throws, when they are
 * gRPC statuses.
 */
export function labelFailures<S extends DescService>(name: string, service: S, client: Upstream<S>): Upstream<S> {
  const labelled: Record<string, unknown> = { close: () => client.close() };
  for (const { localName: method, methodKind } of service.methods) {
    const call = (client as Record<string, unknown>)[method] as ((...args: unknown[]) => unknown) | undefined;
    if (!call) continue;
    // What the upstream answered; not what the caller's own stream source threw, nor this gateway's stream limit.
    const label = (error: unknown) => (isGrpcCallError(error) || error instanceof StatusError ? new UpstreamFailure(name, method, error) : error);
    labelled[method] =
      methodKind === 'server_streaming'
        ? (...args: unknown[]) => labelStream(call(...args) as ServerStream<unknown>, label)
        : (...args: unknown[]) =>
            (call(...args) as Promise<unknown>).catch((error: unknown) => {
              throw label(error);
            });
  }
  return labelled as Upstream<S>;
}

function labelStream<T>(stream: ServerStream<T>, label: (error: unknown) => unknown): ServerStream<T> {
  const accepted = stream.accepted.catch((error: unknown) => {
    throw label(error);
  });
  accepted.catch(() => undefined);
  return {
    accepted,
    cancel: () => stream.cancel(),
    async *[Symbol.asyncIterator]() {
      try {
        yield* stream;
      } catch (error) {
        throw label(error);
      }
    },
  };
}
