import { Metadata } from '@grpc/grpc-js';
import { ClientGrpcProxy } from '@nestjs/microservices';
import { lastValueFrom, type Observable } from 'rxjs';
import { PROTO_LOADER_OPTIONS, PROTO_ROOT, type ServiceContract } from '@acme/contracts';
import { currentCallContext, REQUEST_ID_KEY, requestIdFrom } from '../context/call-context';
import { clientChannelOptions, type RetryPolicy } from './client-channel-options';
import { outgoingDeadline } from './deadline';
import { retryableMethodsOf } from './retryable-methods';

export interface UpstreamOptions {
  /** gRPC target, e.g. dns:///user-service:50051 (all replicas, round_robin). */
  readonly target: string;
  /** The service, e.g. USER_SERVICE_CONTRACT from @acme/contracts. */
  readonly contract: ServiceContract;
  /** Deadline budget per call unless the caller passes its own. */
  readonly deadlineMs: number;
  /**
   * Retries on UNAVAILABLE for the RPCs the proto declares safe to repeat
   * (see retryableMethodsOf), with this policy; `false` never retries (tests
   * that must see exactly what a server answers).
   */
  readonly retry?: RetryPolicy | false;
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
export function createUpstreamClient<C extends object>(options: UpstreamOptions): Upstream<C> {
  const { contract } = options;
  const fullServiceName = `${contract.package}.${contract.service}`;
  const proxy = new ClientGrpcProxy({
    url: options.target,
    package: contract.package,
    protoPath: contract.protoFile,
    loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] },
    channelOptions: clientChannelOptions(
      fullServiceName,
      options.retry === false ? [] : retryableMethodsOf(contract),
      options.retry || undefined,
    ),
  });
  const service = proxy.getService<Record<string, UnaryMethod>>(contract.service);
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
