import { performance } from 'node:perf_hooks';
import { type ChannelCredentials, type Client, makeGenericClientConstructor, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import { grpcServiceDefinition, type MethodsOf, type RequestInitOf, type ResponseOf } from '@acme/contracts';
import { currentCallContext, REQUEST_ID_KEY, requestIdFrom } from '../context/call-context';
import { clientChannelOptions, type RetryPolicy } from './client-channel-options';
import { outgoingDeadline } from './deadline';
import { retryableMethodsOf } from './retryable-methods';
import { RpcDurations } from '../metrics/rpc-metrics';
import { AUTHORIZATION_KEY } from '../identity/call-authorization';

export interface UpstreamOptions<S extends DescService> {
  /** gRPC target, e.g. dns:///user-service:50051 (all replicas, round_robin). */
  readonly target: string;
  /** The generated service, e.g. SERVICES.user from @acme/contracts. */
  readonly service: S;
  /** Deadline budget per call unless the caller passes its own. */
  readonly deadlineMs: number;
  /**
   * Retries on UNAVAILABLE for the RPCs the proto declares safe to repeat
   * (see retryableMethodsOf), with this policy; `false` never retries (tests
   * that must see exactly what a server answers).
   */
  readonly retry?: RetryPolicy | false;
  /**
   * The access token of a client acting as itself (a job, a test with its
   * own client credentials), sent when the call being handled has no caller
   * of its own to forward.
   */
  readonly bearerToken?: string;
  /** The process's GRPC_CHANNEL_CREDENTIALS: its certificate with mTLS on, plaintext otherwise. */
  readonly credentials: ChannelCredentials;
}

export interface CallOptions {
  /** Overrides the upstream's default deadline budget for this call. */
  readonly deadlineMs?: number;
}

/** Service S's client: each unary RPC by its generated name, as `(request, options?) => Promise<response>` (streaming RPCs are not on it). */
export type Upstream<S extends DescService> = {
  [K in keyof MethodsOf<S> as MethodsOf<S>[K]['methodKind'] extends 'unary' ? K : never]: (request: RequestInitOf<S, K>, options?: CallOptions) => Promise<ResponseOf<S, K>>;
} & { close(): void };

/**
 * A client for one upstream gRPC service over one long-lived channel, created
 * once at startup, with the generated codecs. Every call carries a deadline
 * (see outgoingDeadline), the request id of the call being handled and its
 * caller's access token.
 */
export function createUpstreamClient<S extends DescService>(options: UpstreamOptions<S>): Upstream<S> {
  const { service } = options;
  const definition = grpcServiceDefinition(service);
  const Constructor = makeGenericClientConstructor(definition, service.typeName);
  const client: Client = new Constructor(
    options.target,
    options.credentials,
    clientChannelOptions(service.typeName, options.retry === false ? [] : retryableMethodsOf(service), options.retry || undefined),
  );
  const upstream: Record<string, unknown> = { close: () => client.close() };
  const durations = new RpcDurations('client');
  for (const { name, localName, methodKind } of service.methods) {
    const method = definition[name];
    if (methodKind !== 'unary' || !method) continue; // streaming RPCs get their own client shape
    upstream[localName] = (request: unknown, callOptions?: CallOptions) => {
      const deadline = outgoingDeadline(callOptions?.deadlineMs ?? options.deadlineMs, service.typeName);
      const metadata = new Metadata();
      const context = currentCallContext();
      metadata.set(REQUEST_ID_KEY, requestIdFrom(context?.requestId));
      // The caller's own token: the next service verifies it and decides for itself.
      const token = context?.caller?.token ?? options.bearerToken;
      if (token !== undefined) metadata.set(AUTHORIZATION_KEY, `Bearer ${token}`);
      const started = performance.now();
      return new Promise((resolve, reject) =>
        client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata, { deadline }, (error: ServiceError | null, response?: unknown) => {
          // Retries included: the duration and final status the caller saw.
          durations.record(method.path, error ? error.code : status.OK, performance.now() - started);
          if (error) reject(error);
          else resolve(response);
        }),
      );
    };
  }
  return upstream as Upstream<S>;
}
