import { Metadata } from '@grpc/grpc-js';
import { ClientGrpcProxy } from '@nestjs/microservices';
import { lastValueFrom, type Observable } from 'rxjs';
import { PROTO_LOADER_OPTIONS, PROTO_ROOT } from '@acme/contracts';
import { currentCallContext, REQUEST_ID_KEY, requestIdFrom } from '../context/call-context';
import { clientChannelOptions, type RetryPolicy } from './client-channel-options';
import { outgoingDeadline } from './deadline';

export interface UpstreamOptions<C> {
  /** gRPC target, e.g. dns:///user-service:50051 (all replicas, round_robin). */
  readonly target: string;
  /** Proto package and file that define the service, e.g. 'acme.user.v1', PROTO_FILES.user. */
  readonly package: string;
  readonly protoFile: string;
  /** Service name inside the package, e.g. 'UserService'. */
  readonly service: string;
  /** Deadline budget per call unless the caller passes its own. */
  readonly deadlineMs: number;
  /** Methods that are safe to retry on UNAVAILABLE (see clientServiceConfig). */
  readonly retryableMethods: readonly (keyof C & string)[];
  readonly retry?: RetryPolicy;
}

export interface CallOptions {
  /** Overrides the upstream's default deadline budget for this call. */
  readonly deadlineMs?: number;
}

type UnaryMethod = (request: never, metadata: Metadata, ...rest: never[]) => Observable<unknown>;

/** The generated NestJS client interface, with each RPC as `(request, options?) => Promise<response>`. */
export type Upstream<C> = {
  [K in keyof C]: C[K] extends (request: infer Req, metadata: Metadata, ...rest: never[]) => Observable<infer Res>
    ? (request: Req, options?: CallOptions) => Promise<Res>
    : never;
} & { close(): void };

/**
 * A client for one upstream gRPC service over one long-lived channel, created
 * once at startup. Every call carries a deadline (see outgoingDeadline) and
 * the request id of the call being handled.
 */
export function createUpstreamClient<C extends object>(options: UpstreamOptions<C>): Upstream<C> {
  const fullServiceName = `${options.package}.${options.service}`;
  const proxy = new ClientGrpcProxy({
    url: options.target,
    package: options.package,
    protoPath: options.protoFile,
    loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] },
    channelOptions: clientChannelOptions(
      fullServiceName,
      // The service config names methods as in the proto (PascalCase); the client API is camelCase.
      options.retryableMethods.map((method) => method.charAt(0).toUpperCase() + method.slice(1)),
      options.retry,
    ),
  });
  const service = proxy.getService<Record<string, UnaryMethod>>(options.service);
  const upstream: Record<string, unknown> = { close: () => proxy.close() };
  for (const [name, method] of Object.entries(service)) {
    upstream[name] = (request: never, callOptions?: CallOptions) => {
      const deadline = outgoingDeadline(callOptions?.deadlineMs ?? options.deadlineMs, fullServiceName);
      const metadata = new Metadata();
      metadata.set(REQUEST_ID_KEY, requestIdFrom(currentCallContext()?.requestId));
      return lastValueFrom(method(request, metadata, { deadline } as never));
    };
  }
  return upstream as Upstream<C>;
}
